using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Core.Retries;

namespace SagaWorkflows.Core.Nodes;

/// <summary>
/// <c>workflow</c>: runs another workflow as a child run — a registered one (<see cref="WorkflowId"/>, optional
/// <see cref="Version"/>) or an inline <c>definition</c> (<see cref="DefinitionJson"/>); its output is the child's output.
/// </summary>
public sealed record WorkflowStep : StepDefinition
{
    public const string TypeName = "workflow";

    public override string Type => TypeName;
    public string? WorkflowId { get; init; }
    public int? Version { get; init; }

    /// <summary>The inline child definition as JSON text, checked when the parent was read.</summary>
    public string? DefinitionJson { get; init; }

    /// <summary>The inline child definition's id.</summary>
    public string? DefinitionId { get; init; }

    public JsonNode? Input { get; init; }
    public StepRetryPolicy? Retry { get; init; }
}

public enum ChildRunPhase
{
    /// <summary>Reached while the parent was suspended: the child starts on resume.</summary>
    Deferred,
    Running,
    WaitingRetry,
}

/// <summary>A <c>workflow</c> step: the child run of its current attempt.</summary>
public sealed class ChildRunState : NodeState
{
    public int Attempt { get; set; } = 1;
    public Guid ChildRunId { get; set; }
    public ChildRunPhase Phase { get; set; }
    public JsonNode? Input { get; set; }
    public DateTimeOffset? RetryAt { get; set; }

    /// <summary>The parent halted and told this child to cancel; it is still waited for, so its end (and compensations) are known.</summary>
    public bool CancelSent { get; set; }

    public override IEnumerable<SequenceFrame> Frames() => [];

    public override DateTimeOffset? DueAt(bool halting) => Phase switch
    {
        ChildRunPhase.WaitingRetry when !halting => RetryAt,
        _ => null,
    };
}

/// <summary>
/// <c>workflow</c>: the parent decides to start the child (a <see cref="StartWorkflow"/> through the outbox, under a
/// run id derived from the parent's run, the step's path and the attempt, so a replayed transition starts one child),
/// and learns its end from the <see cref="ChildRunFinished"/> the child sends back. A failed child fails the step, or
/// — by the step's <c>retry</c> (default: no retry) — a fresh child is started under the next attempt's id. A completed
/// child's pending compensations join the parent's compensation log at the step's place, so undoing the parent undoes
/// them in the parent's reverse order. Suspending, resuming and cancelling the parent reach its running children.
/// </summary>
internal sealed class WorkflowNode : NodeType<WorkflowStep, ChildRunState>
{
    /// <summary>Separates the <c>workflow</c> step's path from a child step's path in the parent's compensation log.</summary>
    public const char ChildPathSeparator = '/';

    private static readonly StepRetryPolicy NoRetry = new() { MaxAttempts = 1 };

    public override string Name => WorkflowStep.TypeName;

    public override string StateName => "workflow";

    public override IReadOnlySet<string> Properties { get; } = new HashSet<string> { "workflowId", "version", "definition", "input", "retry" };

    protected override WorkflowStep ReadStep(JsonObject json, string id, string path, DefinitionReader reader)
    {
        var input = json["input"];
        if (input is not null)
        {
            reader.CheckTemplates(input, $"{path}.input");
        }

        string? workflowId = null;
        int? version = null;
        string? definitionJson = null;
        string? definitionId = null;
        var named = json.ContainsKey("workflowId");
        var inline = json.ContainsKey("definition");
        if (named == inline)
        {
            reader.Error(path, named
                ? "give either 'workflowId' (a registered workflow) or 'definition' (inline), not both"
                : "needs 'workflowId' (a registered workflow) or 'definition' (an inline workflow definition)");
        }

        if (named)
        {
            workflowId = reader.RequiredName(json, "workflowId", path);
            version = reader.OptionalInt(json, "version", path, min: 1);
            if (workflowId is not null && CallsItself(workflowId, reader) is { } cycle)
            {
                reader.Error($"{path}.workflowId", $"workflow '{workflowId}' calls itself ({cycle}); a child run may not run a workflow it is part of");
            }
        }
        else if (json.ContainsKey("version"))
        {
            reader.Error($"{path}.version", "goes with 'workflowId'; an inline definition has its own version");
        }

        if (inline)
        {
            (definitionJson, definitionId) = ReadInline(json["definition"], $"{path}.definition", reader);
        }

        return new WorkflowStep
        {
            Id = id,
            JsonPath = path,
            WorkflowId = workflowId,
            Version = version,
            DefinitionJson = definitionJson,
            DefinitionId = definitionId,
            Input = input?.DeepClone(),
            Retry = reader.ReadRetry(json, path),
        };
    }

    /// <summary>The chain <c>a → b → a</c> when <paramref name="workflowId"/> is one of the definitions being read; else null.</summary>
    private static string? CallsItself(string workflowId, DefinitionReader reader)
    {
        var chain = reader.Callers.Append(reader.WorkflowId ?? "").ToList();
        var at = chain.IndexOf(workflowId);
        return at < 0 ? null : string.Join(" → ", chain.Skip(at).Append(workflowId));
    }

    /// <summary>Reads an inline child definition as a definition of its own; its problems are reported under <paramref name="path"/>.</summary>
    private static (string? Json, string? Id) ReadInline(JsonNode? node, string path, DefinitionReader reader)
    {
        if (node is not JsonObject obj)
        {
            reader.Error(path, "must be a workflow definition object");
            return (null, null);
        }

        var callers = reader.Callers.Append(reader.WorkflowId ?? "").ToList();
        if (callers.Count >= reader.Limits.MaxChildDepth)
        {
            reader.Error(path, $"inline definitions nest deeper than {reader.Limits.MaxChildDepth} levels ({WorkflowLimits.SectionName}:{nameof(WorkflowLimits.MaxChildDepth)})");
            return (null, null);
        }

        var json = obj.ToJsonString();
        var nested = new DefinitionReader(reader.Limits) { Callers = callers };
        var definition = nested.ReadWorkflow(obj, json);
        nested.Errors.AddRange(StepReferenceValidator.Check(obj, nested));
        foreach (var error in nested.Errors)
        {
            reader.Error(path + error.Path[1..], error.Message);
        }

        if (definition is not null && CallsItselfInline(definition.Id, callers) is { } cycle)
        {
            reader.Error($"{path}.id", $"inline workflow '{definition.Id}' has the id of a workflow it is part of ({cycle})");
        }

        return (json, definition?.Id);
    }

    private static string? CallsItselfInline(string id, List<string> callers)
    {
        var at = callers.IndexOf(id);
        return at < 0 ? null : string.Join(" → ", callers.Skip(at).Append(id));
    }

    protected override IEnumerable<NodePart> PartsOf(WorkflowStep step)
    {
        if (step.Input is { } input)
        {
            yield return new TemplateValuePart($"{step.JsonPath}.input", input, Sight.Before);
        }
    }

    protected override JsonNode? PrepareInput(WorkflowStep step, JsonNode? input, Scope scope, RunContext context) =>
        step.Input is null
            ? input?.DeepClone()
            : context.Expressions.Render(step.Input, scope.ToEvaluation(context.State.Input));

    protected override void DescribeStartOf(WorkflowStep step, string path, RunContext context, JsonObject data)
    {
        data["childRunId"] = ChildRunIds.For(context.State.RunId, path, 1);
        data["workflowId"] = step.WorkflowId ?? step.DefinitionId;
    }

    protected override Outcome StartNode(WorkflowStep step, string path, JsonNode? input, Scope scope, RunContext context, out ChildRunState? state)
    {
        state = null;
        var depth = (context.State.Parent?.Depth ?? 0) + 1;
        var limit = context.Workflow.Limits.MaxChildDepth;
        if (depth > limit)
        {
            return Outcome.Fail(new StepError(ErrorTypes.Validation,
                $"a child run here would be nested {depth} deep; the limit is {limit} ({WorkflowLimits.SectionName}:{nameof(WorkflowLimits.MaxChildDepth)})"));
        }

        var child = new ChildRunState
        {
            Path = path,
            StartedAt = context.Now,
            Input = input,
            ChildRunId = ChildRunIds.For(context.State.RunId, path, 1),
            Phase = ChildRunPhase.Deferred,
        };
        state = child;
        if (!context.State.Suspended)
        {
            Launch(step, child, context);
        }

        return Outcome.Pending;
    }

    protected override Outcome DeliverNode(WorkflowStep step, ChildRunState state, Scope scope, RunContext context, RunEvent @event)
    {
        switch (@event)
        {
            case ChildRunEnded ended when ended.ChildRunId == state.ChildRunId && state.Phase == ChildRunPhase.Running:
                return Ended(step, state, context, ended);

            case ChildRunEnded ended when ended.ChildRunId == state.ChildRunId:
                return Outcome.Pending; // a duplicate of an end already taken

            case ChildRunBegan began when began.ChildRunId == state.ChildRunId:
                if (state.Phase == ChildRunPhase.Running)
                {
                    Restate(state, context);
                }

                return Outcome.Pending;

            case TimerElapsed when state.Phase == ChildRunPhase.WaitingRetry && state.RetryAt <= context.Now && !context.Halting && !context.State.Suspended:
                state.Attempt++;
                state.RetryAt = null;
                state.ChildRunId = ChildRunIds.For(context.State.RunId, state.Path, state.Attempt);
                Launch(step, state, context);
                return Outcome.Pending;

            case ResumeRequested when state.Phase == ChildRunPhase.Deferred && !context.Halting:
                Launch(step, state, context);
                return Outcome.Pending;

            default:
                return Outcome.NotFound;
        }
    }

    private static Outcome Ended(WorkflowStep step, ChildRunState state, RunContext context, ChildRunEnded ended)
    {
        if (ended.Status == nameof(RunStatus.Completed))
        {
            state.Phase = ChildRunPhase.Deferred;
            if (context.CheckPayload($"the output of step '{step.Id}'", ended.Output, state.Path) is { } tooLarge)
            {
                return Outcome.Fail(tooLarge);
            }

            foreach (var entry in ended.Compensations)
            {
                context.State.CompensationLog.Add(entry with { Path = $"{state.Path}{ChildPathSeparator}{entry.Path}" });
            }

            return Outcome.Completed(ended.Output?.DeepClone());
        }

        var cause = ended.Error ?? new StepError("Error", $"the child run ended {ended.Status}");
        var error = new StepError(cause.Type, $"child run {ended.ChildRunId} ended {ended.Status}: {cause.Message}");
        var policy = step.Retry ?? NoRetry;
        if (context.Halting || state.CancelSent || !RetryDelays.ShouldRetry(policy, state.Attempt, cause.Type))
        {
            state.Phase = ChildRunPhase.Deferred;
            return Outcome.Fail(error);
        }

        var delay = RetryDelays.DelayBeforeAttempt(policy, state.Attempt + 1, context.Random);
        state.Phase = ChildRunPhase.WaitingRetry;
        state.RetryAt = context.Now + delay;
        context.Effects.Add(new ScheduleWake(state.RetryAt.Value));
        context.Emit(LifecycleEventTypes.StepRetry, step, state.Path, state.Attempt, new JsonObject
        {
            ["attempt"] = state.Attempt,
            ["nextAttempt"] = state.Attempt + 1,
            ["delayMs"] = (long)delay.TotalMilliseconds,
            ["error"] = new JsonObject { ["type"] = error.Type, ["message"] = error.Message },
            ["childRunId"] = ChildRunIds.For(context.State.RunId, state.Path, state.Attempt + 1),
        });
        return Outcome.Pending;
    }

    private static void Launch(WorkflowStep step, ChildRunState state, RunContext context)
    {
        state.Phase = ChildRunPhase.Running;
        context.Effects.Add(new SendRunMessage(new StartWorkflow
        {
            RunId = state.ChildRunId,
            WorkflowId = step.DefinitionJson is null ? step.WorkflowId : null,
            Version = step.DefinitionJson is null ? step.Version : null,
            Definition = step.DefinitionJson,
            Input = RunContext.ToElement(state.Input),
            Parent = new ParentRun
            {
                RunId = context.State.RunId,
                Path = state.Path,
                Depth = (context.State.Parent?.Depth ?? 0) + 1,
            },
        }));
    }

    /// <summary>The children running now (not those that ended, nor those waiting to start or to be retried).</summary>
    public static IEnumerable<ChildRunState> Running(RunState state) =>
        state.Root.Nodes().OfType<ChildRunState>().Where(c => c.Phase == ChildRunPhase.Running && !c.Failed);

    /// <summary>Suspending or resuming the parent does the same to its running children, numbered so they apply in order.</summary>
    public static void Cascade(RunContext context, Func<Guid, long, object> command)
    {
        var running = Running(context.State).ToList();
        if (running.Count == 0)
        {
            return;
        }

        var generation = ++context.State.ChildControl;
        foreach (var child in running)
        {
            context.Effects.Add(new SendRunMessage(command(child.ChildRunId, generation)));
        }
    }

    /// <summary>A parent's suspend or resume numbered <paramref name="generation"/> applies only after those before it.</summary>
    public static bool FromParentInOrder(RunState state, long generation)
    {
        if (generation <= state.ParentControl)
        {
            return false;
        }

        state.ParentControl = generation;
        return true;
    }

    /// <summary>A halting parent cancels its running children once, then waits for their ends before it compensates.</summary>
    public static bool CancelChildren(RunContext context)
    {
        var waiting = false;
        foreach (var child in Running(context.State))
        {
            waiting = true;
            if (!child.CancelSent)
            {
                child.CancelSent = true;
                SendCancel(child, context);
            }
        }

        return waiting;
    }

    private static void SendCancel(ChildRunState child, RunContext context) =>
        context.Effects.Add(new SendRunMessage(new CancelWorkflow
        {
            RunId = child.ChildRunId,
            Reason = context.State.Halt == HaltReason.Cancel
                ? $"parent run {context.State.RunId} was cancelled"
                : $"parent run {context.State.RunId} failed",
        }));

    /// <summary>
    /// A command sent to a child before its start was taken is dropped (as for any run that does not exist), so once
    /// the child says it started, what the parent wants of it now — paused, resumed, cancelled — is sent again.
    /// Suspends and resumes carry their generation, so the repeat never undoes a later one.
    /// </summary>
    private static void Restate(ChildRunState child, RunContext context)
    {
        var state = context.State;
        if (child.CancelSent)
        {
            SendCancel(child, context);
        }
        else if (state.ChildControl > 0)
        {
            context.Effects.Add(new SendRunMessage(state.Suspended
                ? new SuspendWorkflow { RunId = child.ChildRunId, Generation = state.ChildControl }
                : new ResumeWorkflow { RunId = child.ChildRunId, Generation = state.ChildControl }));
        }
    }
}

/// <summary>What a child run and its parent tell each other, as messages and as engine events.</summary>
public static class ChildRuns
{
    /// <summary>What an ended child run tells its parent: its end and, when it completed, the compensations still to run.</summary>
    public static ChildRunFinished Finished(RunState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Report(state);
    }

    private static ChildRunFinished Report(RunState state) => new()
    {
        RunId = state.Parent!.RunId,
        ChildRunId = state.RunId,
        Status = state.Status.ToString(),
        Output = state.Status == RunStatus.Completed ? RunContext.ToElement(state.Output) : null,
        ErrorType = state.Status == RunStatus.Completed ? null : state.Error?.Type,
        ErrorMessage = state.Status == RunStatus.Completed ? null : state.Error?.Message,
        Compensations = state.Status != RunStatus.Completed
            ? []
            : state.CompensationLog.Where(e => !e.Compensated).Select(e => new ChildCompensation
            {
                StepId = e.StepId,
                Path = e.Path,
                Tool = e.Tool,
                Input = RunContext.ToElement(e.Input),
                InputError = e.InputError,
                Retry = e.Retry,
            }).ToList(),
    };

    /// <summary>What a child run tells its parent once it has started.</summary>
    public static ChildRunStarted Started(RunState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new ChildRunStarted { RunId = state.Parent!.RunId, ChildRunId = state.RunId };
    }

    /// <summary>The engine's event for a child's report.</summary>
    public static ChildRunEnded ToEvent(ChildRunFinished message) => message is null ? throw new ArgumentNullException(nameof(message)) : new(
        message.ChildRunId,
        message.Status,
        CoreJson.ToNode(message.Output),
        message.ErrorType is null && message.Status == nameof(RunStatus.Completed) ? null : new StepError(message.ErrorType ?? "Error", message.ErrorMessage ?? ""),
        message.Compensations.Select(c => new CompensationEntry
        {
            StepId = c.StepId,
            Path = c.Path,
            Tool = c.Tool,
            Input = CoreJson.ToNode(c.Input),
            InputError = c.InputError,
            Retry = c.Retry,
        }).ToList());
}

/// <summary>
/// A child run's id derives from the parent's run, the <c>workflow</c> step's execution path and the attempt: a
/// replayed transition or a duplicate start names the same child, and each retry a fresh one.
/// </summary>
public static class ChildRunIds
{
    public static Guid For(Guid parentRunId, string path, int attempt) =>
        ExecutionIds.For(ExecutionIds.For(parentRunId, path), $"workflow attempt {attempt}");
}

/// <summary>
/// Checks the <c>workflow</c> steps of a definition against the definitions they name: each must exist, and no
/// chain of child runs may come back to a workflow it started from, nor nest deeper than
/// <see cref="WorkflowLimits.MaxChildDepth"/>. Every problem is reported at the step of the checked definition
/// that leads to it. The orchestrator runs it before a run starts (against its registry) and <c>sagawf validate</c>
/// against a folder of definitions.
/// </summary>
public static class ChildWorkflowReferences
{
    /// <param name="definition">The definition to check.</param>
    /// <param name="find">The JSON of a registered definition by id and optional version (the newest without one); null if unknown.</param>
    public static IReadOnlyList<ValidationError> Check(WorkflowDefinition definition, Func<string, int?, string?> find)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(find);
        var errors = new List<ValidationError>();
        var done = new HashSet<string>(StringComparer.Ordinal);
        foreach (var step in WorkflowSteps(definition.Steps))
        {
            Visit(step, [definition.Id], step.JsonPath, errors, done, find, definition.Limits);
        }

        return errors;
    }

    private static void Visit(WorkflowStep step, List<string> chain, string reportAt, List<ValidationError> errors, HashSet<string> done,
        Func<string, int?, string?> find, WorkflowLimits limits)
    {
        string? json;
        string where;
        if (step.DefinitionJson is { } inline)
        {
            json = inline;
            where = $"{reportAt}.definition";
        }
        else
        {
            where = $"{reportAt}.workflowId";
            json = find(step.WorkflowId!, step.Version);
            if (json is null)
            {
                var via = chain.Count > 1 ? $" (called by '{chain[^1]}' at {step.JsonPath})" : "";
                errors.Add(new ValidationError(where,
                    $"unknown workflow '{step.WorkflowId}'{(step.Version is { } v ? $" version {v}" : "")}{via}: register it with the orchestrator or inline it as 'definition'"));
                return;
            }
        }

        var parsed = WorkflowDefinitionParser.Parse(json, limits);
        if (parsed.Definition is not { } child)
        {
            errors.Add(new ValidationError(where, $"the child workflow is invalid: {string.Join("; ", parsed.Errors.Take(3))}"));
            return;
        }

        if (chain.Contains(child.Id, StringComparer.Ordinal))
        {
            errors.Add(new ValidationError(where,
                $"workflow '{child.Id}' calls itself ({string.Join(" → ", chain.Append(child.Id))}); a child run may not run a workflow it is part of"));
            return;
        }

        if (chain.Count >= limits.MaxChildDepth)
        {
            errors.Add(new ValidationError(where,
                $"child runs nest deeper than {limits.MaxChildDepth} levels ({string.Join(" → ", chain.Append(child.Id))}; {WorkflowLimits.SectionName}:{nameof(WorkflowLimits.MaxChildDepth)})"));
            return;
        }

        if (!done.Add($"{child.Id}\u001f{child.Version}\u001f{chain.Count}"))
        {
            return;
        }

        chain.Add(child.Id);
        foreach (var nested in WorkflowSteps(child.Steps))
        {
            Visit(nested, chain, reportAt, errors, done, find, limits);
        }

        chain.RemoveAt(chain.Count - 1);
    }

    private static IEnumerable<WorkflowStep> WorkflowSteps(IReadOnlyList<StepDefinition> steps)
    {
        foreach (var step in steps)
        {
            if (step is WorkflowStep call)
            {
                yield return call;
            }

            foreach (var part in NodeTypes.Of(step).Parts(step).OfType<StepsPart>())
            {
                foreach (var nested in WorkflowSteps(part.Steps))
                {
                    yield return nested;
                }
            }
        }
    }
}
