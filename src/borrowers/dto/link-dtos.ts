import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, IsUrl, IsUUID, MaxLength } from 'class-validator';
import { UUID } from '../../common/http/openapi-types.js';

export class ConnectRequestDto {
  @ApiPropertyOptional({ example: 'https://los.example.com/linked', description: 'Where Mono sends the borrower after linking' })
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  @MaxLength(2048)
  redirectUrl?: string;
}

export class ConnectLinkResponseDto {
  @ApiProperty({ example: 'https://connect.mono.co/?key=…&reference=link_9f…' }) monoUrl!: string;
  @ApiProperty({ example: 'link_9f2c1a7b0d4e5f6a7b8c9d0e', description: 'Correlates the account_connected webhook (meta.ref)' })
  reference!: string;
}

export class ExchangeCodeDto {
  @ApiProperty({ example: 'code_xyz123', description: 'One-time code from the Mono Connect widget' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  code!: string;
}

export class LinkedAccountResponseDto {
  @ApiProperty({ ...UUID, example: '8d3f8c1e-2b6a-4c1f-9a55-0c9f2f1d7e10' }) id!: string;
  @ApiProperty({ example: '65f1c0ffee0000000000abcd' }) monoAccountId!: string;
  @ApiProperty({ example: 'AVAILABLE', enum: ['PROCESSING', 'AVAILABLE', 'PARTIAL', 'UNAVAILABLE', 'FAILED'] }) dataStatus!: string;
}

export class ReauthRequestDto {
  @ApiProperty({ ...UUID, example: '8d3f8c1e-2b6a-4c1f-9a55-0c9f2f1d7e10', description: 'Our account id (from GET /v1/borrowers/{id})' })
  @IsUUID('all', { message: 'accountId must be a UUID' })
  accountId!: string;

  @ApiPropertyOptional({ example: 'https://los.example.com/reauthorised' })
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  @MaxLength(2048)
  redirectUrl?: string;
}

export class ReauthLinkResponseDto {
  @ApiProperty({
    example: 'https://connect.mono.co/?key=…&reauth=…',
    nullable: true,
    type: String,
    description: 'Hosted reauth page; null only when Mono issued a legacy token instead',
  })
  monoUrl!: string | null;
  @ApiProperty({ example: 'reauth_5d1c9e0a7b2f4e6c8a9b0c1d' }) reference!: string;
  @ApiPropertyOptional({ example: 'eyJhbGciOi…', description: 'Legacy Connect.js reauth token (fallback)' }) reauthToken?: string;
}

export class CompleteReauthDto {
  @ApiProperty({ ...UUID, example: '8d3f8c1e-2b6a-4c1f-9a55-0c9f2f1d7e10', description: 'Our account id (from GET /v1/borrowers/{id})' })
  @IsUUID('all', { message: 'accountId must be a UUID' })
  accountId!: string;

  @ApiPropertyOptional({
    example: 'code_xyz123',
    description:
      "The code Mono's widget handed over when the reauth finished, if it gave one (Mono does not document it). Exchanged and checked against the account; omit it when there is none",
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  code?: string;
}

export class ReauthCompletionDto {
  @ApiProperty({ ...UUID, example: '8d3f8c1e-2b6a-4c1f-9a55-0c9f2f1d7e10' }) accountId!: string;
  @ApiProperty({ example: true, description: 'The code was exchanged and named this account: the reauth is confirmed' })
  codeExchanged!: boolean;
  @ApiProperty({
    example: false,
    description: "Still flagged for reauth: no code was given and Mono's account_reauthorized webhook has not arrived yet",
  })
  reauthRequired!: boolean;
}
