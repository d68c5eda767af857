using System.Globalization;

namespace SagaWorkflows.Benchmarks.Reporting;

internal static class Figures
{
    /// <summary>Three significant digits or so: enough to compare, not so many that noise looks like signal.</summary>
    public static string Format(double value) => Math.Abs(value) switch
    {
        0 => "0",
        >= 1000 => value.ToString("N0", CultureInfo.InvariantCulture),
        >= 100 => value.ToString("0.0", CultureInfo.InvariantCulture),
        >= 1 => value.ToString("0.00", CultureInfo.InvariantCulture),
        _ => value.ToString("0.000", CultureInfo.InvariantCulture),
    };
}
