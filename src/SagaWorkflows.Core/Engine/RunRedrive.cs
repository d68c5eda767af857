using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Nodes;

namespace SagaWorkflows.Core.Engine;

/// <summary>
/// Redrive: a run that ended <c>workflow-error</c> without compensating goes on from where it failed, as Step
/// Functions' redrive does. A failed run keeps its tree (what each sequence had done when it stopped), so reopening
/// it is local: every failed step leaves its sequence to be started again with fresh attempts, every failed
/// container is running again around it, and every sequence the failure halted goes on from its next step.
/// Completed steps keep their outputs and are never run again: they are no longer in the tree, only their outputs are.
/// </summary>
internal static class RunRedrive
{
    /// <summary>
    /// The name a step execution's id derives from: its path, and after a redrive the redrive's number, so the
    /// attempts of a redriven step are new executions and late reports of the failed ones match nothing.
    /// </summary>
    public static string ExecutionName(string path, int redrives) => redrives == 0 ? path : $"{path}@redrive{redrives}";

    /// <summary>Reopens the run if it may be redriven; otherwise says why not (or nothing, for a repeated command).</summary>
    /// <returns>True when the run is running again and its sequences must be driven on.</returns>
    public static bool Reopen(RunContext context, RedriveRequested request)
    {
        var state = context.State;
        if (request.AfterSequence is { } seen && state.RedrivenAfter?.Contains(seen) == true)
        {
            // The same failure was already redriven by an earlier copy of this command: once is enough.
            return false;
        }

        if (Refusal(state, request.AfterSequence) is { } reason)
        {
            context.Effects.Add(new RejectRedrive(new RedriveRejected
            {
                RunId = state.RunId,
                AfterSequence = request.AfterSequence,
                Status = state.Status,
                Reason = reason,
            }));
            return false;
        }

        var failedAt = state.Sequence;
        var error = state.Error;
        state.Redrives++;
        (state.RedrivenAfter ??= []).Add(failedAt);
        state.Status = RunStatus.Running;
        state.Redrivable = false;
        state.Halt = null;
        state.Error = null;
        state.EndedAt = null;
        state.Suspended = false;
        state.Continuing = false;

        // The run's own timeout counts again from the redrive, or a run that failed by it would fail again at once.
        state.Deadline = context.Workflow.Timeout is { } timeout ? context.Now + timeout : null;

        var reopened = new List<string>();
        Reopen(state.Root, reopened);
        context.Emit(LifecycleEventTypes.WorkflowRedriven, data: new JsonObject
        {
            ["redrive"] = state.Redrives,
            ["afterSequence"] = failedAt,
            ["error"] = error is null ? null : RunContext.ErrorData(error)["error"]!.DeepClone(),
            ["steps"] = new JsonArray(reopened.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()),
        });
        return true;
    }

    /// <summary>Why the run cannot be redriven, or null when it can.</summary>
    public static string? Refusal(RunState state, long? afterSequence)
    {
        var run = $"run {state.RunId}";
        return state.Status switch
        {
            RunStatus.Completed => $"{run} completed: there is nothing to redrive",
            RunStatus.Cancelled => $"{run} was cancelled: a cancelled run is not redriven, start a new run",
            RunStatus.Compensated => $"{run} failed and its completed steps were compensated: a compensated run is not redriven, start a new run",
            RunStatus.CompensationFailed => $"{run} failed and its compensation failed ({state.Error?.Message}): a run whose compensation ran is not redriven",
            RunStatus.Failed when !state.Redrivable => $"{run} failed before it could run a step ({state.Error?.Type}: {state.Error?.Message}): there is nothing to continue, start a new run",
            RunStatus.Failed when afterSequence is { } seen && seen != state.Sequence =>
                $"{run} is no longer at event {seen}: its latest failure is event {state.Sequence}; look at the run again and redrive that",
            RunStatus.Failed => null,
            _ => $"{run} is still running ({state.Status}): only a failed run can be redriven",
        };
    }

    /// <summary>
    /// Walks a stopped sequence: a failed step without inner sequences leaves it (the sequence starts it again),
    /// a failed container runs again and its own sequences are reopened, and a sequence with no step running goes on.
    /// </summary>
    private static void Reopen(SequenceFrame frame, List<string> reopened)
    {
        switch (frame.Current)
        {
            case null:
                // Halted between two steps (or a step that failed before it had a state): it goes on from its index.
                frame.Yielded = true;
                return;

            case ActivityState activity when activity.Failed || activity.Phase == ActivityPhase.Deferred:
                // Started again from the same input, as the sequence renders it: a step without a template takes it as is.
                frame.Current = null;
                frame.Last = activity.Input?.DeepClone();
                frame.Yielded = true;
                if (activity.Failed)
                {
                    reopened.Add(activity.Path);
                }

                return;

            case { Failed: true } leaf when !leaf.Frames().Any():
                frame.Current = null;
                frame.Yielded = true;
                reopened.Add(leaf.Path);
                return;

            case { } node:
                if (node.Failed)
                {
                    node.Failed = false;
                    reopened.Add(node.Path);
                }

                foreach (var inner in node.Frames().ToList())
                {
                    Reopen(inner, reopened);
                }

                return;
        }
    }
}
