import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
} from 'class-validator';
import { CONSENT_PURPOSES, type ConsentPurpose } from '../../mono/consent-gate.js';
import { consentStatusAt, type ConsentEntity, type ConsentStatus } from '../consent.entity.js';
import { DATE_TIME, UUID } from '../../common/http/openapi-types.js';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);
const PRINTABLE = /^[\x20-\x7e]+$/;

export class GrantConsentDto {
  @ApiProperty({
    example: 'monitoring',
    enum: CONSENT_PURPOSES,
    description:
      '`underwriting`: data for one application (sync-on-apply). `monitoring`: continuous retrieval for re-underwriting and limit management.',
  })
  @IsIn(CONSENT_PURPOSES, { message: `purpose must be one of ${CONSENT_PURPOSES.join(', ')}` })
  purpose!: ConsentPurpose;

  @ApiProperty({ example: 'privacy-notice-2026-03', description: 'Version of the notice text the borrower saw', maxLength: 64 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  @Matches(PRINTABLE, { message: 'noticeVersion must be printable ASCII' })
  noticeVersion!: string;

  @ApiProperty({ example: 'mobile-app', description: 'Where the borrower gave it (web, mobile-app, branch, ussd…)', maxLength: 32 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(32)
  @Matches(/^[a-z0-9][a-z0-9_-]*$/, { message: 'channel must be lowercase letters, digits, - or _' })
  channel!: string;

  @ApiPropertyOptional({
    ...DATE_TIME,
    example: '2027-03-01T00:00:00.000Z',
    description:
      'ISO 8601 instant, in the future. Default: none for underwriting; CONSENT_MONITORING_MONTHS (12) after the grant for monitoring.',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'expiresAt must be an ISO 8601 date-time' })
  expiresAt?: string;

  @ApiPropertyOptional({
    example: ['8d3f8c1e-2b6a-4c1f-9a55-0c9f2f1d7e10'],
    description: 'Linked accounts covered. Omitted or empty: every account of the borrower, including ones linked later.',
    type: [String],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsUUID('all', { each: true, message: 'each accountIds entry must be a UUID' })
  accountIds?: string[];

  @ApiPropertyOptional({
    ...UUID,
    example: '0b7c9a1e-2f3d-4e5a-8b6c-7d8e9f0a1b2c',
    description: 'The application an underwriting consent is for (underwriting only)',
  })
  @IsOptional()
  @IsUUID('all', { message: 'applicationId must be a UUID' })
  applicationId?: string;
}

export class RevokeConsentDto {
  @ApiPropertyOptional({ example: 'borrower asked to stop monitoring in the app', maxLength: 500 })
  @Transform(trim)
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class ConsentResponseDto {
  @ApiProperty({ ...UUID, example: '5a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d' }) id!: string;
  @ApiProperty({ ...UUID, example: '3f0c2a8e-5f1b-4d0a-8a57-1d2b9f1e4c21' }) borrowerId!: string;
  @ApiProperty({ example: 'monitoring', enum: CONSENT_PURPOSES }) purpose!: ConsentPurpose;
  @ApiProperty({ example: 'active', enum: ['active', 'revoked', 'expired', 'scheduled'], description: 'At the time of the response' })
  status!: ConsentStatus;
  @ApiProperty({ example: 'privacy-notice-2026-03' }) noticeVersion!: string;
  @ApiProperty({ example: 'mobile-app' }) channel!: string;
  @ApiProperty({ ...DATE_TIME, example: '2026-03-01T09:00:00.000Z' }) grantedAt!: string;
  @ApiProperty({ ...DATE_TIME, example: '2027-03-01T09:00:00.000Z', nullable: true }) expiresAt!: string | null;
  @ApiProperty({ ...DATE_TIME, example: null, nullable: true }) revokedAt!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) revokedReason!: string | null;
  @ApiProperty({ example: null, nullable: true, type: [String], description: 'null: every account of the borrower' }) accountIds!:
    string[] | null;
  @ApiProperty({ ...UUID, example: null, nullable: true }) applicationId!: string | null;
  @ApiProperty({ ...DATE_TIME, example: '2026-03-01T09:00:00.000Z' }) createdAt!: string;

  static from(c: ConsentEntity, now: Date): ConsentResponseDto {
    return {
      id: c.id,
      borrowerId: c.borrowerId,
      purpose: c.purpose,
      status: consentStatusAt(c, now),
      noticeVersion: c.noticeVersion,
      channel: c.channel,
      grantedAt: c.grantedAt.toISOString(),
      expiresAt: c.expiresAt?.toISOString() ?? null,
      revokedAt: c.revokedAt?.toISOString() ?? null,
      revokedReason: c.revokedReason,
      accountIds: c.accountIds && c.accountIds.length > 0 ? c.accountIds : null,
      applicationId: c.applicationId,
      createdAt: c.createdAt.toISOString(),
    };
  }
}

export class ConsentListDto {
  @ApiProperty({ type: [ConsentResponseDto] }) items!: ConsentResponseDto[];
}

export class RevokedConsentResponseDto extends ConsentResponseDto {
  @ApiProperty({ example: [], type: [String], description: 'Accounts unlinked at Mono because no valid consent covers them any more' })
  unlinkedAccountIds!: string[];
}
