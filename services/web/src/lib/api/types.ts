// Short names for the HTTP contract's types. The types themselves are generated from the
// gateway's OpenAPI document into schema.d.ts (`npm run api:generate`); nothing here restates
// a field.
import type { components } from "./schema";

type Schemas = components["schemas"];

export type Role = Schemas["Role"];
export type User = Schemas["CurrentUserOut"];
export type RegisterInput = Schemas["RegisterIn"];
export type TokenResponse = Schemas["TokenOut"];

export type ExperienceLevel = Schemas["ExperienceLevel"];
export type LearningStyle = Schemas["LearningStyle"];
export type Learner = Schemas["LearnerOut"];
export type LearnerInput = Schemas["LearnerCreate"];
export type LearnerUpdate = Schemas["LearnerUpdate"];

export type JobStatus = Schemas["JobStatus"];
export type JobKind = Schemas["JobKind"];
export type Job = Schemas["JobOut"];

export type ContentType = Schemas["ContentType"];
export type ContentSource = Schemas["ContentSource"];
export type Exercise = Schemas["Exercise"];
export type Content = Schemas["ContentOut"];
export type GenerateContentInput = Schemas["GenerateContentIn"];

export type SessionInput = Schemas["SessionCreate"];
export type ExerciseCompleted = NonNullable<SessionInput["exercises_completed"]>[number];
export type Session = Schemas["SessionOut"];
export type ResponseInput = Schemas["ResponseItem"];

export type AnalyticsResult = Schemas["AnalyticsOut"];
export type Velocity = Schemas["Velocity"];
export type Trend = Velocity["trend"];
export type KnowledgeGap = Schemas["KnowledgeGap"];
export type Severity = KnowledgeGap["severity"];
export type Recommendation = Schemas["Recommendation"];

export type AdminStats = Schemas["AdminStats"];
export type LearnerModel = Schemas["LearnerModel"];
export type LearnerModelConcept = Schemas["ConceptParameters"];
export type CalibrationBin = Schemas["CalibrationBin"];

/** RFC 9457 problem details; `field` is the extension member a 409 carries. */
export type Problem = Partial<Pick<Schemas["Problem"], "type" | "errors">> &
  Pick<Schemas["Problem"], "title" | "status" | "detail"> & { field?: string };
export type ProblemError = Schemas["ProblemError"];

/** A page of a cursor-paginated list (`items` and the cursor of the next page). */
export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

// The values of the contract's enumerations, for pickers and filters. `satisfies` makes the
// compiler refuse a list that misses a value the contract has (or has one it does not).
const each = <T extends string>(values: Record<T, true>) => Object.keys(values) as T[];

export const EXPERIENCE_LEVELS = each({ beginner: true, intermediate: true, advanced: true } satisfies Record<ExperienceLevel, true>);
export const LEARNING_STYLES = each({ visual: true, auditory: true, reading: true, kinesthetic: true } satisfies Record<LearningStyle, true>);
export const CONTENT_TYPES = each({ lesson: true, quiz: true, exercise: true } satisfies Record<ContentType, true>);
export const JOB_STATUSES = each({
  queued: true,
  running: true,
  succeeded: true,
  failed: true,
  canceled: true,
} satisfies Record<JobStatus, true>);
