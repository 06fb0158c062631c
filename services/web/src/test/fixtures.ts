import type { AnalyticsResult, Content, Job, Learner, User } from "@/lib/api/types";

export const user: User = { id: 7, username: "ada", email: "ada@example.com", created_at: "2026-11-01T10:00:00Z", role: "user" };
export const admin: User = { ...user, id: 8, username: "root", role: "admin" };

export function learner(overrides: Partial<Learner> = {}): Learner {
  return {
    id: 1,
    user_id: 7,
    target_niche: "data",
    experience_level: "beginner",
    preferred_learning_style: "visual",
    learning_goals: null,
    knowledge_state: {},
    engagement_metrics: {},
    created_at: "2026-11-01T10:00:00Z",
    ...overrides,
  };
}

export function job(overrides: Partial<Job> = {}): Job {
  return {
    id: "11111111-2222-3333-4444-555555555555",
    kind: "content",
    learner_id: 1,
    status: "queued",
    created_at: new Date().toISOString(),
    started_at: null,
    finished_at: null,
    attempts: 0,
    error: null,
    result_url: null,
    result: null,
    ...overrides,
  };
}

export function content(overrides: Partial<Content> = {}): Content {
  return {
    content_id: "c0ffee00-0000-4000-8000-000000000001",
    learner_id: 1,
    concept: "SQL joins",
    content_type: "quiz",
    title: "Understanding SQL joins",
    content: "## What is a join?\n\nA join combines rows.\n\n- inner\n- left",
    examples: ["`SELECT * FROM a JOIN b ON a.id = b.a_id`"],
    exercises: [
      {
        id: "q1",
        prompt: "Which join keeps every row of the left table?",
        choices: ["INNER JOIN", "LEFT JOIN", "CROSS JOIN"],
        answer: "LEFT JOIN",
        explanation: "A left join keeps all left rows.",
        concept: "SQL joins",
      },
      {
        id: "q2",
        prompt: "Explain what an inner join returns.",
        choices: null,
        answer: "Only rows that match in both tables",
        explanation: "Rows without a partner are dropped.",
        concept: "SQL joins",
      },
    ],
    source: "openai",
    model: "gpt-4o-mini",
    prompt_version: "v1",
    usage: { input_tokens: 500, output_tokens: 600, cost_usd: 0.0005 },
    notice: null,
    created_at: "2026-11-28T10:00:00Z",
    ...overrides,
  };
}

export function analytics(overrides: Partial<AnalyticsResult> = {}): AnalyticsResult {
  return {
    learner_id: 1,
    as_of: "2026-11-28T10:00:00Z",
    window_days: 30,
    velocity: {
      sessions: 4,
      sessions_per_week: 1.5,
      avg_session_duration: 30,
      avg_completion_rate: 0.8,
      exercises_per_session: 2,
      velocity_score: 1.19,
      recent_performance: 0.8,
      historical_performance: 0.6,
      trend: "improving",
    },
    knowledge_gaps: [
      { concept: "Window functions", total: 3, incorrect: 3, error_rate: 1, priority_score: 1.386, severity: "high" },
      { concept: "SQL joins", total: 4, incorrect: 2, error_rate: 0.5, priority_score: 0.8, severity: "medium" },
    ],
    mastery: [
      { concept: "SQL joins", p_mastery: 0.62, mastered: false, attempts: 4, correct: 2, last_answered_at: "2026-11-28T09:00:00Z", next_review_at: "2026-11-27T09:00:00Z" },
      { concept: "Indexes", p_mastery: 0.97, mastered: true, attempts: 5, correct: 5, last_answered_at: "2026-11-28T09:00:00Z", next_review_at: "2030-01-01T00:00:00Z" },
    ],
    recommendations: [
      { concept: "Window functions", reason: "knowledge_gap", priority: 1 },
      { concept: "SQL joins", reason: "review_due", priority: 2 },
    ],
    computed_at: "2026-11-28T10:00:01Z",
    ...overrides,
  };
}
