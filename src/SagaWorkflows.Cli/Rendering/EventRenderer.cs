using System.Globalization;
using System.Text.Json;
using SagaWorkflows.Contracts;
using Spectre.Console;

namespace SagaWorkflows.Cli.Rendering;

/// <summary>
/// Renders lifecycle events as a live timeline (one line per event, indented by nesting, with the
/// time since the run started) and, once a run ends, a tree of its steps. Used by <c>start --watch</c>
/// and <c>watch</c> (events from the bridge's SSE stream) and by the embedded demo (events in process).
/// What a run's events add up to is the one <see cref="RunProjection"/>; this class only draws it. So events are
/// rendered in Sequence order, once each: a repeated one is ignored, one that overtook an earlier one waits for it.
/// Streamed steps' <c>step-progress</c> (a side channel, outside the Sequence) is drawn as it comes, through <see cref="RenderProgress"/>.
/// Thread-safe: the demo's consumers call it concurrently.
/// </summary>
public sealed class EventRenderer(IAnsiConsole console, EventRendererOptions? options = null)
{
    private readonly EventRendererOptions _options = options ?? new EventRendererOptions();
    private readonly Dictionary<Guid, RunTrack> _runs = [];
    private readonly Lock _gate = new();

    /// <summary>The run as its events so far tell it, or null before any.</summary>
    public RunSnapshot? Run(Guid runId)
    {
        lock (_gate)
        {
            return _runs.GetValueOrDefault(runId)?.Projection.Snapshot();
        }
    }

    /// <summary>The last sequence rendered: every event up to it has been.</summary>
    public long LastSequence(Guid runId)
    {
        lock (_gate)
        {
            return _runs.GetValueOrDefault(runId)?.Projection.LastSequence ?? 0;
        }
    }

    public bool HasEnded(Guid runId)
    {
        lock (_gate)
        {
            return _runs.GetValueOrDefault(runId)?.Projection.IsFinished ?? false;
        }
    }

    /// <returns>The events rendered, in sequence order: none when the event was a repeat, or waits for an earlier one.</returns>
    public IReadOnlyList<WorkflowLifecycleEvent> Render(WorkflowLifecycleEvent lifecycleEvent)
    {
        ArgumentNullException.ThrowIfNull(lifecycleEvent);
        lock (_gate)
        {
            if (!_runs.TryGetValue(lifecycleEvent.RunId, out var run))
            {
                run = new RunTrack(new RunProjection(lifecycleEvent.RunId, lifecycleEvent.WorkflowId));
                _runs[lifecycleEvent.RunId] = run;
            }

            var rendered = run.Projection.Apply(lifecycleEvent);
            foreach (var e in rendered)
            {
                run.FirstAt ??= e.Timestamp;
                if (Describe(run, e) is { } line)
                {
                    Write(run, e.Timestamp, line);
                }

                if (e.Path is { } started && e.Type == LifecycleEventTypes.StepStart)
                {
                    DrawHeldProgress(run, started);
                }

                if (e.Path is { } done && e.Type is LifecycleEventTypes.StepComplete or LifecycleEventTypes.StepError)
                {
                    run.Progress.Remove(done);
                    run.HeldProgress.RemoveAll(p => p.Path == done);
                }
            }

            if (run.Projection.IsFinished)
            {
                run.HeldProgress.Clear();
            }

            return rendered;
        }
    }

    /// <summary>
    /// A streamed step's text as it grows: one line per <see cref="StepProgress"/> with the new text (after <c>…</c> when
    /// some was missed). Progress is outside the Sequence, so it can overtake its step's <c>step-start</c> (published
    /// alongside the step's command, or held back waiting for an earlier event): such progress is held and drawn right
    /// after that <c>step-start</c>. Progress of a step that has ended, a repeat, or of a run not seen yet is not rendered.
    /// </summary>
    /// <returns>Whether a line was written now (false too when the progress is held for its step-start).</returns>
    public bool RenderProgress(StepProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        lock (_gate)
        {
            if (!_options.ShowProgress || !_runs.TryGetValue(progress.RunId, out var run) || run.Projection.IsFinished)
            {
                return false;
            }

            switch (run.Projection.Step(progress.Path)?.Status)
            {
                case null or StepStatus.Pending:
                    run.HeldProgress.Add(progress);
                    return false;
                case StepStatus.Completed or StepStatus.Failed or StepStatus.Stopped:
                    return false;
                default:
                    return DrawProgress(run, progress);
            }
        }
    }

    private void DrawHeldProgress(RunTrack run, string path)
    {
        foreach (var held in run.HeldProgress.Where(p => p.Path == path).ToList())
        {
            run.HeldProgress.Remove(held);
            DrawProgress(run, held);
        }
    }

    private bool DrawProgress(RunTrack run, StepProgress progress)
    {
        var outcome = run.Progress.Apply(progress);
        if (outcome == StepProgressOutcome.Ignored)
        {
            return false;
        }

        var delta = progress.Delta.ReplaceLineEndings(" ⏎ ");
        Write(run, progress.Timestamp, new Line("✎", "grey", progress.Path,
            outcome == StepProgressOutcome.AppendedAfterGap ? "… " + delta : delta, Depth(progress.Path)));
        return true;
    }

    /// <summary>A tree of the run's steps with their final state, attempts and timing.</summary>
    public void RenderSummary(Guid runId)
    {
        lock (_gate)
        {
            if (_runs.GetValueOrDefault(runId) is { } run)
            {
                console.WriteLine();
                console.Write(SummaryTree.Build(run.Projection.Snapshot()));
            }
        }
    }

    private Line? Describe(RunTrack run, WorkflowLifecycleEvent e)
    {
        var data = e.Data is { ValueKind: JsonValueKind.Object } d ? d : (JsonElement?)null;
        var path = e.Path ?? e.StepId ?? "";
        var workflowId = run.Projection.WorkflowId;
        switch (e.Type)
        {
            case LifecycleEventTypes.WorkflowStart:
                {
                    var version = Number(data, "version") is { } v ? $" v{v}" : "";
                    var parent = Property(data, "parent") is { ValueKind: JsonValueKind.Object } link
                        ? $" · child of run {Text(link, "runId")} at {Text(link, "path")}"
                        : "";
                    var schedule = Property(data, "schedule") is { ValueKind: JsonValueKind.Object } fired
                        ? $" · by schedule {Text(fired, "id")}" + (Property(fired, "fireTime") is { ValueKind: JsonValueKind.String } at && at.TryGetDateTimeOffset(out var fireTime)
                            ? $" for {fireTime.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} UTC"
                            : "")
                        : "";
                    return new Line("●", "blue", $"workflow {workflowId}{version} started · run {run.Projection.RunId}{parent}{schedule}",
                        Data("input", Property(data, "input")));
                }

            case LifecycleEventTypes.StepStart:
                return new Line("▶", "blue", path,
                    Text(data, "childRunId") is { } child ? $"{e.StepType} · child run {child}" : e.StepType is { } type ? type : null, Depth(path));

            case LifecycleEventTypes.StepComplete:
                {
                    var step = run.Projection.Step(path);
                    var attempt = step?.Attempts > 1 ? $" · attempt {step.Attempts}" : "";
                    return new Line("✔", "green", path, $"{Duration(step?.DurationMs)}{attempt}", Depth(path),
                        Data("→", Property(data, "output")));
                }

            case LifecycleEventTypes.StepRetry:
                {
                    var failed = Number(data, "attempt") ?? e.Attempt ?? run.Projection.Step(path)?.Attempts;
                    var next = Number(data, "nextAttempt") ?? failed + 1;
                    var delay = Number(data, "delayMs") is { } ms ? $" in {Duration(TimeSpan.FromMilliseconds(ms))}" : "";
                    return new Line("↻", "yellow", path,
                        $"attempt {failed} failed: {Error(data)} · retrying as attempt {next}{delay}", Depth(path));
                }

            case LifecycleEventTypes.StepError:
                {
                    var origin = Text(Property(data, "error"), "path") is { } at && at != path ? $" (in {at})" : "";
                    var attempt = e.Attempt is > 1 ? $" after {e.Attempt} attempts" : "";
                    return new Line("✖", "red", path, $"{Error(data)}{origin}{attempt}", Depth(path));
                }

            case LifecycleEventTypes.StepSuspended:
                {
                    var signal = Text(data, "signal") ?? "?";
                    var hint = _options.ShowHints
                        ? $"resume it with: sagawf signal {run.Projection.RunId} {signal} --payload '{{...}}'"
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
                    var tool = Text(data, "tool") is { } t ? $"by {t}" : null;
                    return new Line("↩", "fuchsia", $"{path} compensated", tool, Depth(path));
                }

            case LifecycleEventTypes.CompensationComplete:
                return new Line("↩", "fuchsia", "compensation complete");
            case LifecycleEventTypes.CompensationError:
                return new Line("✖", "red", "compensation failed", $"{(e.Path is { } p ? $"at {p}: " : "")}{Error(data)}");
            case LifecycleEventTypes.WorkflowComplete:
                return new Line("✔", "green", $"workflow {workflowId} completed", $"in {Duration(run.Took(e))}",
                    Detail: Data("output", Property(data, "output")));
            case LifecycleEventTypes.WorkflowError:
                {
                    var status = Text(data, "status") is { } s && s != nameof(RunStatus.Failed) ? $" ({s})" : "";
                    var origin = Text(Property(data, "error"), "path") is { } at ? $" at {at}" : "";
                    var redrive = _options.ShowHints && Property(data, "redrivable") is { ValueKind: JsonValueKind.True }
                        ? $"continue it from the failed step with: sagawf redrive {run.Projection.RunId}"
                        : null;
                    return new Line("✖", "red", $"workflow {workflowId} failed{status}",
                        $"after {Duration(run.Took(e))}: {Error(data)}{origin}",
                        Detail: redrive, Problems: Problems(data));
                }

            case LifecycleEventTypes.WorkflowRedriven:
                {
                    var steps = Property(data, "steps") is { ValueKind: JsonValueKind.Array } list
                        ? string.Join(", ", list.EnumerateArray().Select(s => s.ToString()))
                        : "";
                    return new Line("↻", "aqua", $"workflow {workflowId} redriven",
                        $"going on after event {Number(data, "afterSequence")}; running again: {steps}");
                }

            case LifecycleEventTypes.WorkflowCancelled:
                {
                    var reason = Text(data, "reason") is { } r ? $": {r}" : "";
                    var status = Text(data, "status") is { } s && s != nameof(RunStatus.Cancelled) ? $" ({s})" : "";
                    return new Line("⊘", "yellow", $"workflow {workflowId} cancelled{status}",
                        $"after {Duration(run.Took(e))}{reason}");
                }

            default:
                return new Line("·", "grey", e.Type, e.Path);
        }
    }

    private void Write(RunTrack run, DateTimeOffset timestamp, Line line)
    {
        var elapsed = (timestamp - (run.Projection.StartedAt ?? run.FirstAt ?? timestamp)).TotalSeconds;
        var prefix = $"[grey]{Markup.Escape(FormattableString.Invariant($"+{Math.Max(elapsed, 0),7:0.000}s"))}[/] ";
        if (_options.ShowWorkflowId)
        {
            prefix += $"[grey]{Markup.Escape($"[{run.Projection.WorkflowId}]")}[/] ";
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

    private static string Error(JsonElement? data) => ErrorText(Property(data, "error"));

    /// <summary><c>type: message</c> of an error as lifecycle events and snapshots carry it.</summary>
    internal static string ErrorText(JsonElement? error)
    {
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

    private static List<string> Problems(JsonElement? data) =>
        Property(Property(data, "error"), "errors") is { ValueKind: JsonValueKind.Array } errors
            ? errors.EnumerateArray().Select(e => e.ToString()).ToList()
            : [];

    internal static string Duration(double? milliseconds) => Duration(milliseconds is { } ms ? TimeSpan.FromMilliseconds(ms) : null);

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

    /// <summary>A run being rendered: its projection, and its first event's time (for a run watched from its middle).</summary>
    private sealed class RunTrack(RunProjection projection)
    {
        public RunProjection Projection { get; } = projection;
        public StepProgressText Progress { get; } = new();

        /// <summary>Progress of steps whose step-start has not been rendered yet, in the order it came.</summary>
        public List<StepProgress> HeldProgress { get; } = [];
        public DateTimeOffset? FirstAt { get; set; }

        public TimeSpan Took(WorkflowLifecycleEvent terminal) => terminal.Timestamp - (Projection.StartedAt ?? FirstAt ?? terminal.Timestamp);
    }

    private sealed record Line(string Symbol, string Colour, string Label, string? Info = null, int Depth = 0,
        string? Detail = null, IReadOnlyList<string>? Problems = null);
}
