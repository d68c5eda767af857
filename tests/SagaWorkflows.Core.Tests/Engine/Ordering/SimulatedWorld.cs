using System.Text.Json;
using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Core.Nodes;

namespace SagaWorkflows.Core.Tests.Engine.Ordering;

/// <summary>
/// Everything outside the engine, as the broker would present it: workers answer commands, the
/// compensation routing slip reports each activity and its end, users signal waits, the scheduler
/// wakes timers. Every message the world produces goes into one pool, and the pool is delivered in
/// the order a <see cref="Random"/> picks, some messages more than once. What the world answers is
/// decided by the message alone, never by when it is delivered, so every order is a legal history
/// of the same facts.
/// </summary>
/// <remarks>Demo tools the world hosts: <c>echo</c> returns its input; <c>flaky</c> (<c>{ failTimes }</c>)
/// reports a retry for each of its first attempts, then returns <c>{ attempt }</c>; <c>fail</c> fails
/// non-retryably; <c>undo</c> compensates; <c>undo-fail</c> is a compensation that fails.</remarks>
internal sealed class SimulatedWorld
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Guid RootRunId = new("6f1b7a52-3c1e-4a57-9d63-8ae0e9e8f001");
    private readonly List<Message> _pool = [];
    private readonly Random? _order;
    private readonly WorkflowDefinition _workflow;
    private readonly Func<WorkflowLifecycleEvent, IEnumerable<RunEvent>> _user;
    private readonly IReadOnlyDictionary<string, string> _registry;
    private readonly Dictionary<Guid, (WorkflowDefinition Workflow, RunState State)> _children = [];
    private int _duplicates;

    private SimulatedWorld(WorkflowDefinition workflow, Random? order, Func<WorkflowLifecycleEvent, IEnumerable<RunEvent>>? user,
        IReadOnlyDictionary<string, string>? registry)
    {
        _workflow = workflow;
        _order = order;
        _user = user ?? (_ => []);
        _registry = registry ?? new Dictionary<string, string>();
    }

    /// <summary>The child runs started by <c>workflow</c> steps (and theirs), by run id: each a run of its own.</summary>
    public IReadOnlyDictionary<Guid, (WorkflowDefinition Workflow, RunState State)> Children => _children;

    /// <summary>The events of the child runs, in the order they were published.</summary>
    public List<WorkflowLifecycleEvent> ChildEvents { get; } = [];

    public RunState State { get; private set; } = null!;
    public DateTimeOffset Now { get; private set; } = Epoch;
    public List<WorkflowLifecycleEvent> Events { get; } = [];
    public List<IReadOnlyList<string>> CompensationPlans { get; } = [];
    public List<(string Path, int Attempt)> Dispatches { get; } = [];
    public int Deliveries { get; private set; }

    /// <summary>Runs a definition to the end. <paramref name="order"/> null delivers first-in first-out without duplicates.</summary>
    /// <param name="registry">Definitions <c>workflow</c> steps may name by id.</param>
    public static SimulatedWorld Run(string json, object? input, Random? order, Func<WorkflowLifecycleEvent, IEnumerable<RunEvent>>? user = null,
        IReadOnlyDictionary<string, string>? registry = null)
    {
        var parsed = WorkflowDefinitionParser.Parse(json);
        Assert.True(parsed.IsValid, string.Join("\n", parsed.Errors));
        var world = new SimulatedWorld(parsed.Definition!, order, user, registry);
        world.Apply(WorkflowEngine.Start(world._workflow, RootRunId, input is null ? null : JsonSerializer.SerializeToNode(input), world.Now, new Random(1)));
        while (world._pool.Count > 0)
        {
            Assert.True(world.Deliveries < 10_000, "the run does not settle");
            world.DeliverOne();
        }

        return world;
    }

    private void DeliverOne()
    {
        // Timers are due much later than any reply takes to arrive: they fire once nothing else is in flight.
        var candidates = _pool.Where(m => m.Due is null).ToList();
        if (candidates.Count == 0)
        {
            candidates = _pool.OrderBy(m => m.Due).Take(1).ToList();
        }

        var message = candidates[_order is null ? 0 : _order.Next(candidates.Count)];
        var index = _pool.IndexOf(message);
        if (_order is not null && _duplicates < 20 && _order.NextDouble() < 0.15)
        {
            _duplicates++; // at-least-once: this one will come again
        }
        else
        {
            _pool.RemoveAt(index);
        }

        if (message.Due is { } due && due > Now)
        {
            Now = due;
        }

        Deliveries++;
        if (message.Start is { } start)
        {
            // The same RunId twice starts one run.
            if (!_children.ContainsKey(start.RunId))
            {
                var definition = start.Definition ?? _registry.GetValueOrDefault(start.WorkflowId!);
                Assert.True(definition is not null, $"no workflow '{start.WorkflowId}' in the simulated registry");
                var child = WorkflowDefinitionParser.Parse(definition!).Definition!;
                _children[start.RunId] = (child, null!);
                Apply(WorkflowEngine.Start(child, start.RunId, CoreJson.ToNode(start.Input), Now, new Random(1), start.Parent));
            }

            return;
        }

        if (message.RunId != RootRunId)
        {
            // A command for a run that does not exist (yet) is dropped, as the saga drops it.
            if (_children.TryGetValue(message.RunId, out var run))
            {
                var reloaded = JsonSerializer.Deserialize<RunState>(JsonSerializer.Serialize(run.State, CoreJson.Options), CoreJson.Options)!;
                Apply(WorkflowEngine.Handle(run.Workflow, reloaded, message.Event!, Now, new Random(1)));
            }

            return;
        }

        // The saga reloads the state from its row for every message.
        State = JsonSerializer.Deserialize<RunState>(JsonSerializer.Serialize(State, CoreJson.Options), CoreJson.Options)!;
        Apply(WorkflowEngine.Handle(_workflow, State, message.Event!, Now, new Random(1)));
    }

    private void Apply(EngineResult result)
    {
        var runId = result.State.RunId;
        var isRoot = runId == RootRunId;
        if (isRoot)
        {
            State = result.State;
        }
        else
        {
            _children[runId] = (_children[runId].Workflow, result.State);
        }

        foreach (var effect in result.Effects)
        {
            switch (effect)
            {
                case PublishLifecycleEvent e when !isRoot:
                    ChildEvents.Add(e.Event);
                    break;
                case PublishLifecycleEvent e:
                    Events.Add(e.Event);
                    Enqueue(runId, _user(e.Event));
                    break;
                case SendStepCommand { Command: ExecuteTool command }:
                    if (isRoot)
                    {
                        Dispatches.Add((command.Path, command.Attempt));
                    }

                    Enqueue(runId, Work(command));
                    break;
                case SendRunMessage { Message: StartWorkflow start }:
                    _pool.Add(new Message(start.RunId, null, null, start));
                    break;
                case SendRunMessage { Message: CancelWorkflow cancel }:
                    _pool.Add(new Message(cancel.RunId, new CancelRequested(cancel.Reason), null));
                    break;
                case SendRunMessage { Message: SuspendWorkflow suspend }:
                    _pool.Add(new Message(suspend.RunId, new SuspendRequested { Generation = suspend.Generation }, null));
                    break;
                case SendRunMessage { Message: ResumeWorkflow resume }:
                    _pool.Add(new Message(resume.RunId, new ResumeRequested { Generation = resume.Generation }, null));
                    break;
                case SendRunMessage { Message: ChildRunStarted started }:
                    _pool.Add(new Message(started.RunId, new ChildRunBegan(started.ChildRunId), null));
                    break;
                case SendRunMessage { Message: ChildRunFinished finished }:
                    _pool.Add(new Message(finished.RunId, ChildRuns.ToEvent(finished), null));
                    break;
                case SendRunMessage other:
                    throw new InvalidOperationException($"the simulated world does not deliver {other.Message.GetType().Name}");
                case SendStepCommand other:
                    throw new InvalidOperationException($"the simulated world does not run {other.Command.GetType().Name}");
                case ScheduleWake wake:
                    _pool.Add(new Message(runId, new TimerElapsed(), wake.At));
                    break;
                case RunCompensation compensation:
                    if (isRoot)
                    {
                        CompensationPlans.Add(compensation.Steps.Select(s => s.Path).ToList());
                    }

                    Enqueue(runId, Compensate(compensation.Steps));
                    break;
            }
        }
    }

    private void Enqueue(Guid runId, IEnumerable<RunEvent> events) => _pool.AddRange(events.Select(e => new Message(runId, e, null)));

    /// <summary>What the worker hosting the tool reports for a command, including the attempts it redelivers itself.</summary>
    private static IEnumerable<RunEvent> Work(ExecuteTool command)
    {
        var input = command.Input is { } i ? JsonNode.Parse(i.GetRawText()) : null;
        switch (command.Tool)
        {
            case "echo":
                yield return new StepSucceeded(command.ExecutionId, command.Attempt, input);
                break;
            case "flaky":
                var failTimes = input?["failTimes"]?.GetValue<int>() ?? 1;
                var attempt = command.Attempt;
                for (; attempt <= failTimes; attempt++)
                {
                    yield return new StepRetryScheduled(command.ExecutionId, attempt, attempt + 1, TimeSpan.FromSeconds(attempt), "Transient", $"attempt {attempt} failed");
                }

                yield return new StepSucceeded(command.ExecutionId, attempt, new JsonObject { ["attempt"] = attempt });
                break;
            case "fail":
                yield return new StepFailed(command.ExecutionId, command.Attempt, "Boom", "it broke", false);
                break;
            default:
                throw new InvalidOperationException($"no tool '{command.Tool}' in the simulated world");
        }
    }

    /// <summary>The routing slip runs the activities in order and stops at the first that fails.</summary>
    private static IEnumerable<RunEvent> Compensate(IReadOnlyList<CompensationEntry> steps)
    {
        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i].Tool == "undo-fail")
            {
                yield return new CompensationFinished(false, steps[i].Path, "undo failed");
                yield break;
            }

            yield return new StepCompensationSucceeded(steps[i].Path, Epoch.AddMinutes(i + 1));
        }

        yield return new CompensationFinished(true, null, null);
    }

    private sealed record Message(Guid RunId, RunEvent? Event, DateTimeOffset? Due, StartWorkflow? Start = null);
}
