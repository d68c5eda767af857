using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using SagaWorkflows.Hosting.Telemetry;

namespace SagaWorkflows.Orchestration.Tests.Monitoring;

/// <summary>Records what the SagaWorkflows and MassTransit sources emit in this process, as an exporter would see it.</summary>
internal sealed class TelemetryCapture : IDisposable
{
    private readonly ActivityListener _activities;
    private readonly MeterListener _meters = new();

    public TelemetryCapture()
    {
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name is SagaWorkflowsDiagnostics.Name or SagaWorkflowsDiagnostics.MassTransitName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => Spans.Add(activity),
        };
        ActivitySource.AddActivityListener(_activities);

        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SagaWorkflowsDiagnostics.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.Start();
    }

    public ConcurrentBag<Activity> Spans { get; } = [];

    public ConcurrentQueue<Measurement> Measurements { get; } = new();

    public IEnumerable<Measurement> Named(string instrument) => Measurements.Where(m => m.Instrument == instrument);

    public void CollectGauges() => _meters.RecordObservableInstruments();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        Measurements.Enqueue(new Measurement(instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value), instrument.Meter));

    public void Dispose()
    {
        _activities.Dispose();
        _meters.Dispose();
    }

    internal sealed record Measurement(string Instrument, double Value, Dictionary<string, object?> Tags, Meter Meter)
    {
        public object? Tag(string name) => Tags.GetValueOrDefault(name);
    }
}
