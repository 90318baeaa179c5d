using System.Diagnostics.Metrics;

namespace OrleansTenancy.Runtime.Diagnostics;

/// <summary>
/// The runtime's meters, all under the <c>grain_</c> / <c>silo_</c> prefixes. One instance per silo; the
/// meter comes from <see cref="IMeterFactory"/> so silos in one process stay apart.
/// </summary>
public sealed class RuntimeMetrics
{
    /// <summary>The meter name to subscribe to.</summary>
    public const string MeterName = "OrleansTenancy.Runtime";

    private readonly UpDownCounter<long> _activations;
    private readonly Counter<long> _calls;
    private readonly Counter<long> _callFailures;
    private readonly Histogram<double> _callDuration;
    private readonly Counter<long> _messagesSent;
    private readonly Counter<long> _messagesReceived;
    private readonly Counter<long> _messagesFailed;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public RuntimeMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _activations = meter.CreateUpDownCounter<long>("grain_activations", description: "Live activations per grain type.");
        _calls = meter.CreateCounter<long>("grain_calls_total", description: "Grain calls executed, per grain type.");
        _callFailures = meter.CreateCounter<long>("grain_call_failures_total", description: "Grain calls that threw, per grain type.");
        _callDuration = meter.CreateHistogram<double>("grain_call_duration_seconds", unit: "s", description: "Time a grain method ran, per grain type.");
        _messagesSent = meter.CreateCounter<long>("silo_messages_sent_total", description: "Messages this silo sent to other silos or clients.");
        _messagesReceived = meter.CreateCounter<long>("silo_messages_received_total", description: "Messages this silo received.");
        _messagesFailed = meter.CreateCounter<long>("silo_messages_failed_total", description: "Messages that could not be delivered or decoded.");
        Meter = meter;
    }

    /// <summary>The meter, for observable instruments of other components.</summary>
    public Meter Meter { get; }

    internal void ActivationCreated(string grainType) => _activations.Add(1, new KeyValuePair<string, object?>("grain_type", grainType));

    internal void ActivationDestroyed(string grainType) => _activations.Add(-1, new KeyValuePair<string, object?>("grain_type", grainType));

    internal void RecordCall(string grainType, TimeSpan duration, bool failed)
    {
        var tag = new KeyValuePair<string, object?>("grain_type", grainType);
        _calls.Add(1, tag);
        if (failed)
        {
            _callFailures.Add(1, tag);
        }

        if (_callDuration.Enabled)
        {
            _callDuration.Record(duration.TotalSeconds, tag);
        }
    }

    internal void MessageSent() => _messagesSent.Add(1);

    internal void MessageReceived() => _messagesReceived.Add(1);

    internal void MessageFailed() => _messagesFailed.Add(1);
}
