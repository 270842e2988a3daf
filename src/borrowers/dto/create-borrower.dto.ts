import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

export class CreateBorrowerDto {
  @ApiProperty({ example: 'los-cust-000123', description: "The lender's own id for the borrower (unique)", maxLength: 128 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  @Matches(/^[\x21-\x7e]+$/, { message: 'externalId must be printable ASCII without spaces' })
  externalId!: string;

  @ApiProperty({ example: 'Adaeze Okafor', maxLength: 200 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  fullName!: string;

  @ApiProperty({ example: 'adaeze.okafor@example.com', maxLength: 320 })
  @Transform(trim)
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(320)
  email!: string;

  @ApiPropertyOptional({ example: '+2348031234567', description: 'E.164 or a local Nigerian number' })
  @Transform(trim)
  @IsOptional()
  @IsString()
  @Matches(/^\+?[0-9]{7,15}$/, { message: 'phone must be 7–15 digits, optionally starting with +' })
  phone?: string;

  @ApiPropertyOptional({ example: '22212345678', description: 'Bank Verification Number: 11 digits. Stored encrypted, returned masked.' })
  @Transform(trim)
  @IsOptional()
  @IsString()
  @Matches(/^[0-9]{11}$/, { message: 'bvn must be exactly 11 digits' })
  bvn?: string;
}
