using System.Diagnostics;

namespace OrleansTenancy.Runtime.Diagnostics;

/// <summary>
/// The runtime's <see cref="ActivitySource"/>. A call sent to another silo gets a Client span; every grain
/// method execution gets a Server span whose parent is the caller's span, carried across silos as a W3C
/// <c>traceparent</c> in the request frame. Spans cost nothing unless something listens to the source.
/// </summary>
public static class RuntimeTracing
{
    /// <summary>The source name to subscribe to (for example with OpenTelemetry's <c>AddSource</c>).</summary>
    public const string ActivitySourceName = "OrleansTenancy.Runtime";

    internal static readonly ActivitySource Source = new(ActivitySourceName);

    /// <summary>The context a new request should parent its Server span on, or default when tracing is off.</summary>
    internal static ActivityContext CaptureParent() =>
        Source.HasListeners() && Activity.Current is { } current ? current.Context : default;

    internal static Activity? StartServer(string name, GrainIdentity target, ActivityContext parent)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        // Turns must not inherit an unrelated ambient span: the parent is only what the request carried.
        Activity.Current = null;
        var activity = Source.StartActivity(name, ActivityKind.Server, parent);
        activity?.SetTag("grain.id", target.ToString());
        return activity;
    }

    internal static Activity? StartClient(string name, GrainIdentity target)
    {
        var activity = Source.StartActivity(name, ActivityKind.Client);
        activity?.SetTag("grain.id", target.ToString());
        return activity;
    }
}
