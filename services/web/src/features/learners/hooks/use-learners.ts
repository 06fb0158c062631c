import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { useAuth } from "@/features/auth/hooks/auth-context";
import { createLearner, deleteLearner, listLearners, updateLearner } from "@/features/learners/api/learners";
import type { Learner, LearnerInput, LearnerUpdate } from "@/lib/api/types";
import { queryKeys } from "@/lib/query-keys";

export function useLearners() {
  const { token } = useAuth();
  return useQuery({
    queryKey: queryKeys.learners,
    queryFn: ({ signal }) => listLearners(signal),
    enabled: token !== null,
  });
}

export function useCreateLearner() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: LearnerInput) => createLearner(input),
    onSuccess: (learner) => {
      queryClient.setQueryData<Learner[]>(queryKeys.learners, (old) => [...(old ?? []), learner]);
      void queryClient.invalidateQueries({ queryKey: queryKeys.learners, exact: true });
    },
  });
}

export function useUpdateLearner() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id: number; input: LearnerUpdate }) => updateLearner(id, input),
    onSuccess: (learner) => {
      queryClient.setQueryData<Learner[]>(queryKeys.learners, (old) =>
        (old ?? []).map((item) => (item.id === learner.id ? learner : item)),
      );
    },
  });
}

export function useDeleteLearner() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => deleteLearner(id),
    onSuccess: (_data, id) => {
      queryClient.setQueryData<Learner[]>(queryKeys.learners, (old) => (old ?? []).filter((item) => item.id !== id));
      queryClient.removeQueries({ queryKey: queryKeys.learner(id) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.allJobs });
    },
  });
}
