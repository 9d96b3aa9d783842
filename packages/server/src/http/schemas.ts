/**
 * Response and request schemas of the REST API (TypeBox → JSON Schema). Fastify compiles them once; response
 * schemas also filter what leaves the server, and @fastify/swagger turns them into the OpenAPI document.
 */
import { Type } from '@sinclair/typebox';
import type { TSchema } from '@sinclair/typebox';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Ids = Nullable(Type.Array(Type.String()));
const AnyObject = Type.Object({}, { additionalProperties: true });

export const ErrorSchema = Type.Object(
  { code: Type.String(), message: Type.String() },
  { $id: 'Error', description: 'Catalogued error (docs/errors.md)' },
);

export const EventSchema = Type.Object(
  {
    eventID: Type.String(),
    eventType: Type.String(),
    eventName: Type.String(),
    pageID: Type.String(),
    visitID: Type.String(),
    globalVisitID: Type.String(),
    timestamp: Type.Number(),
    receivedAt: Type.Number(),
    url: Type.String(),
    languageCode: Nullable(Type.String()),
    category: Type.String(),
    data: AnyObject,
    seq: Nullable(Type.Integer()),
  },
  { $id: 'Event' },
);

const PageFields = {
  pageId: Type.String(),
  visitId: Type.String(),
  url: Type.String(),
  title: Type.String(),
  referrer: Type.String(),
  startDate: Type.Number(),
  endDate: Type.Number(),
  durationMs: Nullable(Type.Number()),
  category: Type.String(),
  identityId: Nullable(Type.String()),
  eventIds: Ids,
  events: Nullable(Type.Array(Type.Ref('Event'))),
  eventsTruncated: Type.Optional(Type.Boolean()),
};
export const PageSchema = Type.Object(PageFields, { $id: 'Page' });

export const VisitSchema = Type.Object(
  {
    visitId: Type.String(),
    globalVisitID: Type.String(),
    userAgentId: Type.String(),
    startDate: Type.Number(),
    endDate: Type.Number(),
    pageIds: Ids,
    pages: Nullable(Type.Array(Type.Ref('Page'))),
    eventIds: Ids,
    events: Nullable(Type.Array(Type.Ref('Event'))),
    userAgent: Type.String(),
    languageCode: Nullable(Type.String()),
    referrer: Nullable(Type.String()),
    pageCount: Type.Integer(),
    pagesTruncated: Type.Optional(Type.Boolean()),
    eventsTruncated: Type.Optional(Type.Boolean()),
  },
  { $id: 'Visit' },
);

export const IdentitySchema = Type.Object(
  {
    identityId: Type.String(),
    name: Nullable(Type.String()),
    location: Nullable(Type.String()),
    entityInCS: Type.Null(),
    visitScope: Nullable(Type.String()),
    visitIds: Ids,
    visits: Nullable(Type.Array(Type.Ref('Visit'))),
    pageIds: Ids,
    pages: Nullable(Type.Array(Type.Ref('Page'))),
    eventIds: Ids,
    events: Nullable(Type.Array(Type.Ref('Event'))),
    verified: Type.Boolean(),
    firstName: Nullable(Type.String()),
    lastName: Nullable(Type.String()),
    emailAddress: Nullable(Type.String()),
    phoneNumber: Nullable(Type.String()),
    attributes: AnyObject,
    firstSeen: Type.Number(),
    lastSeen: Type.Number(),
    visitsTruncated: Type.Optional(Type.Boolean()),
    pagesTruncated: Type.Optional(Type.Boolean()),
    eventsTruncated: Type.Optional(Type.Boolean()),
  },
  { $id: 'Identity' },
);

export const CategorySchema = Type.Object(
  {
    name: Type.String(),
    description: Type.String(),
    tags: Type.Array(
      Type.Object({
        expression: Type.String(),
        regex: Type.Boolean(),
        caseSensitive: Type.Boolean(),
        fields: Type.Array(Type.String()),
      }),
    ),
  },
  { $id: 'Category' },
);

export const IngestResultSchema = Type.Object(
  {
    accepted: Type.Integer(),
    duplicates: Type.Integer(),
    rejected: Type.Array(Type.Object({ index: Type.Integer(), code: Type.String(), message: Type.String() })),
  },
  { $id: 'IngestResult' },
);

export const sharedSchemas = [
  ErrorSchema,
  EventSchema,
  PageSchema,
  VisitSchema,
  IdentitySchema,
  CategorySchema,
  IngestResultSchema,
];

export const ErrorRef = Type.Ref('Error');

/** Standard error responses of a route, for the OpenAPI document. */
export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, ErrorRef])) as Record<number, typeof ErrorRef>;
