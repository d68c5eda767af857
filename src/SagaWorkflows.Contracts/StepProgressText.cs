using System.Text;

namespace SagaWorkflows.Contracts;

/// <summary>What <see cref="StepProgressText.Apply"/> did with one <see cref="StepProgress"/>.</summary>
public enum StepProgressOutcome
{
    /// <summary>The delta continued the text exactly.</summary>
    Appended,

    /// <summary>Text before the delta was missed (the reader joined late, or progress was dropped); the delta was appended after the gap.</summary>
    AppendedAfterGap,

    /// <summary>A repeat, or progress of an earlier attempt: nothing changed.</summary>
    Ignored,
}

/// <summary>
/// The text of streamed steps as their <see cref="StepProgress"/> tells it, per <c>Path</c>: deltas placed by their
/// <see cref="StepProgress.Offset"/>, repeats ignored, a new attempt starting the text over. Progress is a side channel
/// that may be missed, so the text may lack parts (<see cref="Missed"/>); the step's <c>step-complete</c>
/// carries the whole output. Not thread-safe.
/// </summary>
public sealed class StepProgressText
{
    private readonly Dictionary<string, Entry> _byPath = new(StringComparer.Ordinal);

    public StepProgressOutcome Apply(StepProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var fresh = false;
        if (!_byPath.TryGetValue(progress.Path, out var entry) || progress.Attempt > entry.Attempt)
        {
            entry = new Entry(progress.Attempt);
            _byPath[progress.Path] = entry;
            fresh = true;
        }
        else if (progress.Attempt < entry.Attempt)
        {
            return StepProgressOutcome.Ignored;
        }

        var deltaEnd = progress.Offset + progress.Delta.Length;
        if (!fresh && deltaEnd <= entry.End)
        {
            return StepProgressOutcome.Ignored;
        }

        var gap = Math.Max(progress.Offset - entry.End, 0);
        entry.Missed += gap;
        var skip = Math.Max(entry.End - progress.Offset, 0);
        entry.Text.Append(progress.Delta, skip, progress.Delta.Length - skip);
        entry.End = deltaEnd;
        return gap > 0 ? StepProgressOutcome.AppendedAfterGap : StepProgressOutcome.Appended;
    }

    /// <summary>The text received for <paramref name="path"/>'s latest attempt (without what was missed), or null when none was.</summary>
    public string? Text(string path) => _byPath.TryGetValue(path, out var entry) ? entry.Text.ToString() : null;

    /// <summary>The latest attempt seen for <paramref name="path"/>, or null.</summary>
    public int? Attempt(string path) => _byPath.TryGetValue(path, out var entry) ? entry.Attempt : null;

    /// <summary>Characters of <paramref name="path"/>'s latest attempt that were missed (0: the text is whole so far).</summary>
    public int Missed(string path) => _byPath.TryGetValue(path, out var entry) ? entry.Missed : 0;

    /// <summary>Forgets a step's text, once its <c>step-complete</c> or <c>step-error</c> made it moot.</summary>
    public bool Remove(string path) => _byPath.Remove(path);

    private sealed class Entry(int attempt)
    {
        public int Attempt { get; } = attempt;

        /// <summary>The offset in the model's text just after the last character received.</summary>
        public int End { get; set; }

        public int Missed { get; set; }
        public StringBuilder Text { get; } = new();
    }
}
