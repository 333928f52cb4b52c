/** Schemas of the viewer search and of one viewer's pledges. */
import { Type } from '@sinclair/typebox';
import { MissionStatusSchema, Pledge } from '../../domain/types.js';

/** A pledge of one viewer, with the mission it backs (what the viewer's page lists). */
export const ViewerPledge = Type.Composite(
  [
    Pledge,
    Type.Object({
      mission: Type.Object({ number: Type.Integer(), text: Type.String(), status: MissionStatusSchema, settled: Type.Boolean() }),
    }),
  ],
  { title: 'ViewerPledge' },
);

export const ViewerSearchQuery = Type.Object({
  /** A prefix of the login or the display name, any case; empty or absent lists every viewer. */
  // Control characters never occur in a name (and a NUL would be refused by Postgres itself).
  q: Type.Optional(Type.String({ maxLength: 64, pattern: '^[^\\u0000-\\u001f\\u007f]*$', description: 'Prefix of a login or display name, case-insensitive' })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 400, pattern: '^[A-Za-z0-9_-]+$' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
});

export const ViewerPledgesQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 20 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
});
