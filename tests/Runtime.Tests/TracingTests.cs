using System.Collections.Concurrent;
using System.Diagnostics;
using OrleansTenancy.Runtime.Diagnostics;
using OrleansTenancy.Runtime.Tests.Grains;
using OrleansTenancy.Runtime.Tests.Infrastructure;

namespace OrleansTenancy.Runtime.Tests;

[Collection(ClusterCollection.Name)]
public sealed class TracingTests(ClusterFixture fixture)
{
    private static readonly ActivitySource TestSource = new("OrleansTenancy.Runtime.Tests");

    [Fact]
    public async Task Spans_of_a_grain_to_grain_call_across_silos_form_one_trace_with_caller_parents()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is RuntimeTracing.ActivitySourceName or "OrleansTenancy.Runtime.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var cluster = fixture.Cluster;
        var first = Probe.NewKey("trace");
        var second = cluster.KeyOwnedElsewhere<IPlacementGrain>("trace", cluster.GetOwner<IPlacementGrain>(first));

        ActivityTraceId traceId;
        using (var root = TestSource.StartActivity("test-root"))
        {
            traceId = root!.TraceId;
            await cluster.Client.GetGrain<IPlacementGrain>(first).CallOther(second);
        }

        var spans = stopped.Where(a => a.TraceId == traceId && a.Source.Name == RuntimeTracing.ActivitySourceName).ToList();
        var clientCall = Assert.Single(spans, a => a.Kind == ActivityKind.Client && a.DisplayName == "IPlacementGrain.CallOther");
        var serverCall = Assert.Single(spans, a => a.Kind == ActivityKind.Server && a.DisplayName == "IPlacementGrain.CallOther");
        var clientWhere = Assert.Single(spans, a => a.Kind == ActivityKind.Client && a.DisplayName == "IPlacementGrain.WhereAmI");
        var serverWhere = Assert.Single(spans, a => a.Kind == ActivityKind.Server && a.DisplayName == "IPlacementGrain.WhereAmI");
        Assert.Equal(clientCall.SpanId, serverCall.ParentSpanId);
        Assert.Equal(serverCall.SpanId, clientWhere.ParentSpanId);
        Assert.Equal(clientWhere.SpanId, serverWhere.ParentSpanId);
    }
}
