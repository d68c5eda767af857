using System.Globalization;

namespace SagaWorkflows.Contracts;

/// <summary>
/// Reads the nesting out of an execution path: segments separated by <c>.</c>, a foreach iteration as
/// <c>[i]</c> and a loop iteration as <c>#n</c> after its step's id (<c>perItem[3].charge</c>,
/// <c>poll#2.check</c>). A path ending in such a suffix names an iteration, otherwise a step.
/// </summary>
public static class StepPath
{
    /// <summary>The path of the node that contains <paramref name="path"/>, or null at the top level.</summary>
    public static string? Parent(string path)
    {
        ArgumentNullException.ThrowIfNull(path);

        var suffixStart = IterationSuffixStart(path);
        if (suffixStart > 0)
        {
            return path[..suffixStart];
        }

        var dot = path.LastIndexOf('.');
        return dot > 0 ? path[..dot] : null;
    }

    public static bool IsIteration(string path) => IterationSuffixStart(path) > 0;

    /// <summary>The last segment as shown to a user: the step id, or the suffix (<c>[3]</c>, <c>#2</c>) of an iteration.</summary>
    public static string Label(string path)
    {
        ArgumentNullException.ThrowIfNull(path);

        var suffixStart = IterationSuffixStart(path);
        if (suffixStart > 0)
        {
            return path[suffixStart..];
        }

        var dot = path.LastIndexOf('.');
        return dot >= 0 ? path[(dot + 1)..] : path;
    }

    /// <summary>The number in an iteration suffix, for ordering iterations; null for a step.</summary>
    public static int? IterationIndex(string path)
    {
        var suffixStart = IterationSuffixStart(path);
        if (suffixStart <= 0)
        {
            return null;
        }

        var digits = path[suffixStart..].Trim('[', ']', '#');
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : null;
    }

    /// <summary>Where a trailing <c>[digits]</c> or <c>#digits</c> starts, or -1.</summary>
    private static int IterationSuffixStart(string path)
    {
        var end = path.Length - 1;
        if (end < 0)
        {
            return -1;
        }

        if (path[end] == ']')
        {
            var i = end - 1;
            while (i >= 0 && char.IsAsciiDigit(path[i]))
            {
                i--;
            }

            return i >= 0 && i < end - 1 && path[i] == '[' ? i : -1;
        }

        var j = end;
        while (j >= 0 && char.IsAsciiDigit(path[j]))
        {
            j--;
        }

        return j >= 0 && j < end && path[j] == '#' ? j : -1;
    }
}
