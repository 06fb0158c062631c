// Wire types of the gateway's HTTP contract (/work/shared/API.md, /openapi.json).

export type Role = "user" | "admin";

export interface User {
  id: number;
  username: string;
  email: string;
  created_at: string;
  role: Role;
}

export interface RegisterInput {
  username: string;
  email: string;
  password: string;
}

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
}

export const EXPERIENCE_LEVELS = ["beginner", "intermediate", "advanced"] as const;
export type ExperienceLevel = (typeof EXPERIENCE_LEVELS)[number];

export const LEARNING_STYLES = ["visual", "auditory", "reading", "kinesthetic"] as const;
export type LearningStyle = (typeof LEARNING_STYLES)[number];

/** Per-concept state the analytics worker keeps in `knowledge_state.concepts`. */
export interface ConceptState {
  p_mastery?: number;
  mastered?: boolean;
  next_review_at?: string | null;
}

export interface KnowledgeState {
  concepts?: Record<string, ConceptState>;
  [key: string]: unknown;
}

export interface Learner {
  id: number;
  user_id: number;
  target_niche: string;
  experience_level: ExperienceLevel;
  preferred_learning_style: LearningStyle;
  learning_goals: string | null;
  knowledge_state: KnowledgeState;
  engagement_metrics: Record<string, unknown>;
  created_at: string;
}

export interface LearnerInput {
  target_niche: string;
  experience_level: ExperienceLevel;
  preferred_learning_style: LearningStyle;
  learning_goals?: string | null;
}

export type LearnerUpdate = Partial<LearnerInput>;

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

// --- jobs ---------------------------------------------------------------------------------------
export const JOB_STATUSES = ["queued", "running", "succeeded", "failed", "canceled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export type JobKind = "content" | "analytics";
export const TERMINAL_STATUSES: readonly JobStatus[] = ["succeeded", "failed", "canceled"];

export interface JobError {
  code: string;
  message: string;
}

export interface Job {
  id: string;
  kind: JobKind;
  learner_id: number;
  status: JobStatus;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  attempts: number;
  error: JobError | null;
  result_url: string | null;
  result: Record<string, unknown> | null;
}

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** The content a finished content job wrote, or null (analytics jobs, or not done yet). */
export function contentIdOf(job: Job): string | null {
  return job.kind === "content" && job.result && typeof job.result.content_id === "string" ? job.result.content_id : null;
}

// --- content ------------------------------------------------------------------------------------
export const CONTENT_TYPES = ["lesson", "quiz", "exercise"] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];
export type ContentSource = "openai" | "cache" | "fallback";

export interface Exercise {
  id: string;
  prompt: string;
  choices?: string[] | null;
  answer: string;
  explanation: string;
  concept: string;
}

export interface Usage {
  input_tokens?: number;
  output_tokens?: number;
  cost_usd?: number;
}

export interface Content {
  content_id: string;
  learner_id: number;
  concept: string;
  content_type: ContentType;
  title: string;
  content: string;
  examples: string[];
  exercises: Exercise[];
  source: ContentSource;
  model: string | null;
  prompt_version: string;
  usage: Usage;
  notice: string | null;
  created_at: string;
}

export interface GenerateContentInput {
  concept: string;
  content_type: ContentType;
  fresh?: boolean;
}

// --- activity -----------------------------------------------------------------------------------
export interface ExerciseCompleted {
  [key: string]: unknown;
}

export interface SessionInput {
  session_start: string;
  session_end?: string | null;
  duration_minutes?: number | null;
  content_accessed?: unknown[];
  exercises_completed?: ExerciseCompleted[];
  completion_rate?: number | null;
  performance_score?: number | null;
}

export interface Session {
  id: number;
  learner_id: number;
  session_start: string;
  session_end: string | null;
  duration_minutes: number | null;
  content_accessed: unknown[];
  exercises_completed: ExerciseCompleted[];
  completion_rate: number | null;
  performance_score: number | null;
  created_at: string;
}

export interface ResponseInput {
  concept: string;
  correct: boolean;
  answered_at?: string;
  content_id?: string;
  session_id?: number;
}

// --- analytics ----------------------------------------------------------------------------------
export type Trend = "improving" | "stable" | "declining" | "insufficient_data";

export interface Velocity {
  sessions: number;
  sessions_per_week: number;
  avg_session_duration: number;
  avg_completion_rate: number;
  exercises_per_session: number;
  velocity_score: number;
  recent_performance: number | null;
  historical_performance: number | null;
  /** A `Trend`; typed as string to tolerate values added later. */
  trend: string;
}

export type Severity = "high" | "medium" | "low";

export interface KnowledgeGap {
  concept: string;
  total: number;
  incorrect: number;
  error_rate: number;
  priority_score: number;
  /** A `Severity`; typed as string to tolerate values added later. */
  severity: string;
}

export interface ConceptMastery {
  concept: string;
  p_mastery: number;
  mastered: boolean;
  attempts: number;
  correct: number;
  last_answered_at: string;
  next_review_at: string | null;
  /** Whether p_mastery used fitted parameters (added later: may be absent). */
  params?: "default" | "fitted";
}

export type RecommendationReason = "knowledge_gap" | "review_due" | "not_mastered";

export interface Recommendation {
  concept: string;
  /** A `RecommendationReason`; typed as string to tolerate values added later. */
  reason: string;
  priority: number;
}

export interface AnalyticsResult {
  learner_id: number;
  as_of: string;
  window_days: number;
  velocity: Velocity;
  knowledge_gaps: KnowledgeGap[];
  /** Added to the contract later: tolerate its absence. */
  mastery?: ConceptMastery[];
  /** Added to the contract later: tolerate its absence. */
  recommendations?: Recommendation[];
  computed_at: string;
}

// --- admin --------------------------------------------------------------------------------------
export interface AdminStats {
  window_days?: number;
  users_total: number;
  new_users: number;
  active_users_daily: number;
  active_users_monthly: number;
  sessions: number;
  avg_completion_rate: number;
  content: {
    generated: number;
    by_source: Partial<Record<ContentSource, number>>;
    ai_success_rate: number;
    fallback_rate: number;
    cost_usd: number;
    cost_usd_today: number;
    budget_usd_today: number;
  };
  top_concepts: { concept: string; requests: number }[];
  jobs: { queued: number; running: number; failed: number; avg_wait_seconds: number };
}

export interface LearnerModelConcept {
  concept: string;
  p_init: number;
  p_transit: number;
  p_forget: number;
  guess: number;
  slip: number;
  responses: number;
}

export interface CalibrationBin {
  lower: number;
  upper: number;
  answers: number;
  predicted: number | null;
  observed: number | null;
}

export interface LearnerModel {
  version: number;
  fitted_at: string;
  source: string;
  concepts: LearnerModelConcept[];
  evaluation: {
    auc: number | null;
    log_loss: number | null;
    held_out_answers: number;
    baseline_auc: number | null;
    baseline_log_loss?: number | null;
    held_out_learners?: number | null;
    calibration?: CalibrationBin[];
    baseline_calibration?: CalibrationBin[];
  };
}

// --- problems -----------------------------------------------------------------------------------
export interface ProblemError {
  loc: (string | number)[];
  msg: string;
  type?: string | null;
}

export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail: string;
  errors?: ProblemError[] | null;
  field?: string;
}
