using System.Text.Json;
using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Engine;

namespace SagaWorkflows.Core.Tests.Engine;

/// <summary>Plays the saga's part for core tests: keeps the state, collects effects, fakes time.</summary>
internal sealed class RunDriver
{
    private readonly List<EngineEffect> _effects = [];

    private RunDriver(WorkflowDefinition workflow) => Workflow = workflow;

    public WorkflowDefinition Workflow { get; }
    public RunState State { get; private set; } = null!;
    public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public DateTimeOffset? WakeAt { get; private set; }
    public List<WorkflowLifecycleEvent> Events { get; } = [];
    public List<ExecuteTool> ToolCommands { get; } = [];
    public List<ExecuteAiStep> AiCommands { get; } = [];
    public List<SignalRejected> Rejections { get; } = [];
    public List<RunCompensation> Compensations { get; } = [];
    public List<SendStepCommand> Sends { get; } = [];
    public List<DateTimeOffset> ScheduledWakes { get; } = [];

    /// <summary>Messages to runs: child starts, cascaded commands, a child's report to its parent.</summary>
    public List<object> RunMessages { get; } = [];

    /// <summary>Events per engine call, in order: how the work was split into transitions.</summary>
    public List<int> EventsPerTransition { get; } = [];

    public static RunDriver Start(string json, object? input = null, WorkflowLimits? limits = null, ParentRun? parent = null, Guid? runId = null)
    {
        var parsed = WorkflowDefinitionParser.Parse(json, limits ?? WorkflowLimits.Default);
        Assert.True(parsed.IsValid, string.Join("\n", parsed.Errors));
        var driver = new RunDriver(parsed.Definition!);
        driver.Apply(WorkflowEngine.Start(driver.Workflow, runId ?? Guid.NewGuid(), ToNode(input), driver.Now, new Random(7), parent));
        return driver;
    }

    public static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        JsonNode node => node,
        string text => JsonValue.Create(text),
        _ => JsonSerializer.SerializeToNode(value),
    };

    public void Handle(RunEvent @event) => Apply(WorkflowEngine.Handle(Workflow, State, @event, Now, new Random(7)));

    /// <summary>Round-trips the state through JSON first, as the saga row does.</summary>
    public void HandlePersisted(RunEvent @event)
    {
        State = JsonSerializer.Deserialize<RunState>(JsonSerializer.Serialize(State, CoreJson.Options), CoreJson.Options)!;
        Handle(@event);
    }

    public ExecuteTool Pending(string path) => ToolCommands.Last(c => c.Path == path);

    public void Complete(string path, object? output) =>
        HandlePersisted(new StepSucceeded(Pending(path).ExecutionId, Pending(path).Attempt, ToNode(output)));

    public void Fail(string path, string type = "Boom", string message = "it broke") =>
        HandlePersisted(new StepFailed(Pending(path).ExecutionId, Pending(path).Attempt, type, message, false));

    /// <summary>Completes every dispatched tool command not yet answered, echoing its input.</summary>
    public void EchoAllOutstanding()
    {
        var answered = new HashSet<Guid>();
        while (true)
        {
            var next = ToolCommands.FirstOrDefault(c => !answered.Contains(c.ExecutionId));
            if (next is null)
            {
                return;
            }

            answered.Add(next.ExecutionId);
            HandlePersisted(new StepSucceeded(next.ExecutionId, next.Attempt, next.Input is { } i ? JsonNode.Parse(i.GetRawText()) : null));
        }
    }

    public void Advance(TimeSpan by)
    {
        Now += by;
        HandlePersisted(new TimerElapsed());
    }

    /// <summary>Delivers the wake-ups a run sends itself to go on after a transition's budget (as the saga does), until it rests.</summary>
    public int Continue()
    {
        var transitions = 0;
        while (!State.IsFinished && State.Continuing && WakeAt <= Now)
        {
            HandlePersisted(new TimerElapsed());
            transitions++;
        }

        return transitions;
    }

    public IEnumerable<string> Types => Events.Select(e => e.Type);

    public IEnumerable<string> TypesAt(string path) => Events.Where(e => e.Path == path).Select(e => e.Type);

    private void Apply(EngineResult result)
    {
        State = result.State;
        WakeAt = result.WakeAt;
        EventsPerTransition.Add(result.Effects.OfType<PublishLifecycleEvent>().Count());
        foreach (var effect in result.Effects)
        {
            _effects.Add(effect);
            switch (effect)
            {
                case PublishLifecycleEvent e:
                    Events.Add(e.Event);
                    break;
                case SendStepCommand { Command: ExecuteTool tool } send:
                    ToolCommands.Add(tool);
                    Sends.Add(send);
                    break;
                case SendStepCommand { Command: ExecuteAiStep ai } send:
                    AiCommands.Add(ai);
                    Sends.Add(send);
                    break;
                case RejectSignal r:
                    Rejections.Add(r.Rejection);
                    break;
                case RunCompensation c:
                    Compensations.Add(c);
                    break;
                case ScheduleWake w:
                    ScheduledWakes.Add(w.At);
                    break;
                case SendRunMessage m:
                    RunMessages.Add(m.Message);
                    break;
            }
        }
    }
}
