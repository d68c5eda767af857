using System.Globalization;
using System.Text.Json;
using SagaWorkflows.Contracts;
using Spectre.Console;

namespace SagaWorkflows.Cli.Rendering;

/// <summary>
/// Renders lifecycle events as a live timeline (one line per event, indented by nesting, with the
/// time since the run started) and, once a run ends, a tree of its steps. Used by <c>start --watch</c>
/// and <c>watch</c> (events from the bridge's SSE stream) and by the embedded demo (events in process).
/// Thread-safe: the demo's consumers call it concurrently. Duplicate or replayed events (at or below
/// a run's last sequence) are ignored.
/// </summary>
public sealed class EventRenderer(IAnsiConsole console, EventRendererOptions? options = null)
{
    private readonly EventRendererOptions _options = options ?? new EventRendererOptions();
    private readonly Dictionary<Guid, RunView> _runs = [];
    private readonly Lock _gate = new();

    public RunView? Run(Guid runId)
    {
        lock (_gate)
        {
            return _runs.GetValueOrDefault(runId);
        }
    }

    /// <returns>False when the event was a duplicate and nothing was printed.</returns>
    public bool Render(WorkflowLifecycleEvent lifecycleEvent)
    {
        ArgumentNullException.ThrowIfNull(lifecycleEvent);
        lock (_gate)
        {
            if (!_runs.TryGetValue(lifecycleEvent.RunId, out var run))
            {
                run = new RunView(lifecycleEvent.RunId, lifecycleEvent.WorkflowId, lifecycleEvent.Timestamp);
                _runs[lifecycleEvent.RunId] = run;
            }

            if (lifecycleEvent.Sequence <= run.LastSequence)
            {
                return false;
            }

            run.LastSequence = lifecycleEvent.Sequence;
            if (lifecycleEvent.WorkflowId.Length > 0)
            {
                run.WorkflowId = lifecycleEvent.WorkflowId;
            }

            var line = Describe(run, lifecycleEvent);
            if (line is not null)
            {
                Write(run, lifecycleEvent, line);
            }

            return true;
        }
    }

    /// <summary>A tree of the run's steps with their final state, attempts and timing.</summary>
    public void RenderSummary(Guid runId)
    {
        lock (_gate)
        {
            if (_runs.GetValueOrDefault(runId) is { } run)
            {
                console.WriteLine();
                console.Write(SummaryTree.Build(run));
            }
        }
    }

    private Line? Describe(RunView run, WorkflowLifecycleEvent e)
    {
        var data = e.Data is { ValueKind: JsonValueKind.Object } d ? d : (JsonElement?)null;
        var path = e.Path ?? e.StepId ?? "";
        switch (e.Type)
        {
            case LifecycleEventTypes.WorkflowStart:
                {
                    var version = Number(data, "version") is { } v ? $" v{v}" : "";
                    return new Line("●", "blue", $"workflow {run.WorkflowId}{version} started · run {run.RunId}",
                        Data("input", Property(data, "input")));
                }

            case LifecycleEventTypes.StepStart:
                {
                    run.Start(path, e.StepId, e.StepType, e.Timestamp);
                    return new Line("▶", "blue", path, e.StepType is { } type ? type : null, Depth(path));
                }

            case LifecycleEventTypes.StepComplete:
                {
                    var step = run.Find(path) ?? run.Start(path, e.StepId, e.StepType, e.Timestamp);
                    step.State = StepState.Completed;
                    step.EndedAt = e.Timestamp;
                    step.Attempts = Math.Max(step.Attempts, e.Attempt ?? 1);
                    var attempt = step.Attempts > 1 ? $" · attempt {step.Attempts}" : "";
                    return new Line("✔", "green", path, $"{Duration(step.Duration)}{attempt}", Depth(path),
                        Data("→", Property(data, "output")));
                }

            case LifecycleEventTypes.StepRetry:
                {
                    var step = run.Find(path) ?? run.Start(path, e.StepId, e.StepType, e.Timestamp);
                    var failed = Number(data, "attempt") ?? e.Attempt ?? step.Attempts;
                    var next = Number(data, "nextAttempt") ?? failed + 1;
                    step.Retries++;
                    step.Attempts = Math.Max(step.Attempts, (int)next);
                    var delay = Number(data, "delayMs") is { } ms ? $" in {Duration(TimeSpan.FromMilliseconds(ms))}" : "";
                    return new Line("↻", "yellow", path,
                        $"attempt {failed} failed: {Error(data)} · retrying as attempt {next}{delay}", Depth(path));
                }

            case LifecycleEventTypes.StepError:
                {
                    var step = run.Find(path) ?? run.Start(path, e.StepId, e.StepType, e.Timestamp);
                    step.State = StepState.Failed;
                    step.EndedAt = e.Timestamp;
                    step.Error = Error(data);
                    var origin = Text(Property(data, "error"), "path") is { } at && at != path ? $" (in {at})" : "";
                    var attempt = e.Attempt is > 1 ? $" after {e.Attempt} attempts" : "";
                    return new Line("✖", "red", path, $"{step.Error}{origin}{attempt}", Depth(path));
                }

            case LifecycleEventTypes.StepSuspended:
                {
                    var step = run.Find(path) ?? run.Start(path, e.StepId, e.StepType, e.Timestamp);
                    step.State = StepState.Waiting;
                    var signal = Text(data, "signal") ?? "?";
                    var hint = _options.ShowHints
                        ? $"resume it with: sagawf signal {run.RunId} {signal} --payload '{{...}}'"
                        : null;
                    return new Line("⏸", "aqua", path, $"waiting for signal '{signal}'", Depth(path), hint);
                }

            case LifecycleEventTypes.WorkflowSuspended:
                return new Line("⏸", "aqua", "workflow suspended", "steps already running finish; no new step starts");
            case LifecycleEventTypes.WorkflowResumed:
                return new Line("▶", "aqua", "workflow resumed");
            case LifecycleEventTypes.CompensationStart:
                {
                    var steps = Property(data, "steps") is { ValueKind: JsonValueKind.Array } list
                        ? string.Join(", ", list.EnumerateArray().Select(s => s.ToString()))
                        : "";
                    var why = Text(data, "reason") == "cancelled" ? "the run was cancelled" : "the run failed";
                    return new Line("↩", "fuchsia", "compensation started", $"{why}; undoing in reverse order: {steps}");
                }

            case LifecycleEventTypes.StepCompensated:
                {
                    if (run.Find(path) is { } step)
                    {
                        step.Compensated = true;
                    }

                    var tool = Text(data, "tool") is { } t ? $"by {t}" : null;
                    return new Line("↩", "fuchsia", $"{path} compensated", tool, Depth(path));
                }

            case LifecycleEventTypes.CompensationComplete:
                return new Line("↩", "fuchsia", "compensation complete");
            case LifecycleEventTypes.CompensationError:
                return new Line("✖", "red", "compensation failed", $"{(e.Path is { } p ? $"at {p}: " : "")}{Error(data)}");
            case LifecycleEventTypes.WorkflowComplete:
                Finish(run, e, data);
                return new Line("✔", "green", $"workflow {run.WorkflowId} completed", $"in {Duration(run.EndedAt - run.StartedAt)}",
                    Detail: Data("output", Property(data, "output")));
            case LifecycleEventTypes.WorkflowError:
                {
                    Finish(run, e, data);
                    var status = run.Status is { } s && s != "Failed" ? $" ({s})" : "";
                    var origin = Text(Property(data, "error"), "path") is { } at ? $" at {at}" : "";
                    return new Line("✖", "red", $"workflow {run.WorkflowId} failed{status}",
                        $"after {Duration(run.EndedAt - run.StartedAt)}: {Error(data)}{origin}",
                        Problems: Problems(data));
                }

            case LifecycleEventTypes.WorkflowCancelled:
                {
                    Finish(run, e, data);
                    var reason = Text(data, "reason") is { } r ? $": {r}" : "";
                    var status = run.Status is { } s && s != "Cancelled" ? $" ({s})" : "";
                    return new Line("⊘", "yellow", $"workflow {run.WorkflowId} cancelled{status}",
                        $"after {Duration(run.EndedAt - run.StartedAt)}{reason}");
                }

            default:
                return new Line("·", "grey", e.Type, e.Path);
        }
    }

    private static void Finish(RunView run, WorkflowLifecycleEvent e, JsonElement? data)
    {
        foreach (var step in run.Steps.Where(s => s.State is StepState.Running or StepState.Waiting))
        {
            step.State = StepState.Stopped;
            step.EndedAt = e.Timestamp;
        }

        run.Outcome = e.Type;
        run.OutcomeData = data?.Clone();
        run.EndedAt = e.Timestamp;
        run.Status = Text(data, "status");
    }

    private void Write(RunView run, WorkflowLifecycleEvent e, Line line)
    {
        var elapsed = (e.Timestamp - run.StartedAt).TotalSeconds;
        var prefix = $"[grey]{Markup.Escape(FormattableString.Invariant($"+{Math.Max(elapsed, 0),7:0.000}s"))}[/] ";
        if (_options.ShowWorkflowId)
        {
            prefix += $"[grey]{Markup.Escape($"[{run.WorkflowId}]")}[/] ";
        }

        var indent = new string(' ', line.Depth * 2);
        var text = $"{prefix}{indent}[{line.Colour}]{Markup.Escape(line.Symbol)} {Markup.Escape(line.Label)}[/]";
        if (line.Info is { Length: > 0 } info)
        {
            text += $" [grey]·[/] {Markup.Escape(info)}";
        }

        console.MarkupLine(text);
        var continuation = new string(' ', 10 + indent.Length + 2);
        if (line.Detail is { Length: > 0 } detail)
        {
            console.MarkupLine($"{continuation}[grey]{Markup.Escape(detail)}[/]");
        }

        foreach (var problem in line.Problems ?? [])
        {
            console.MarkupLine($"{continuation}[red]{Markup.Escape(problem)}[/]");
        }
    }

    private string? Data(string label, JsonElement? value)
    {
        if (!_options.ShowData || value is not { } v || v.ValueKind is JsonValueKind.Undefined)
        {
            return null;
        }

        var text = v.GetRawText();
        var max = Math.Max(_options.MaxDataLength, 10);
        return $"{label} {(text.Length > max ? string.Concat(text.AsSpan(0, max - 1), "…") : text)}";
    }

    /// <summary><c>ship.makeLabel</c> and <c>perItem[2].charge</c> are one level below the root.</summary>
    private static int Depth(string path) => 1 + path.Count(c => c == '.');

    private static string Error(JsonElement? data)
    {
        var error = Property(data, "error");
        var type = Text(error, "type");
        var message = Text(error, "message");
        return (type, message) switch
        {
            (null, null) => "unknown error",
            (null, _) => message!,
            (_, null) => type!,
            _ => $"{type}: {message}",
        };
    }

    private static IReadOnlyList<string> Problems(JsonElement? data) =>
        Property(Property(data, "error"), "errors") is { ValueKind: JsonValueKind.Array } errors
            ? errors.EnumerateArray().Select(e => e.ToString()).ToList()
            : [];

    internal static string Duration(TimeSpan? duration) => duration switch
    {
        null => "",
        { TotalMilliseconds: < 1000 } d => $"{d.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms",
        { TotalSeconds: < 60 } d => $"{d.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s",
        { TotalHours: < 1 } d => $"{(int)d.TotalMinutes} min {d.Seconds} s",
        var d => $"{(int)d.Value.TotalHours} h {d.Value.Minutes} min",
    };

    private static JsonElement? Property(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(name, out var value) ? value : null;

    private static string? Text(JsonElement? element, string name) => Property(element, name) switch
    {
        { ValueKind: JsonValueKind.String } s => s.GetString(),
        { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } or null => null,
        var other => other.Value.GetRawText(),
    };

    private static long? Number(JsonElement? element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.Number } n && n.TryGetInt64(out var value) ? value : null;

    private sealed record Line(string Symbol, string Colour, string Label, string? Info = null, int Depth = 0,
        string? Detail = null, IReadOnlyList<string>? Problems = null);
}
