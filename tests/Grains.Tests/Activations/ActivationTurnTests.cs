using OrleansTenancy.Grains.Tests.Infrastructure;

namespace OrleansTenancy.Grains.Tests.Activations;

/// <summary>
/// The Orleans scheduling rule the tenant grain's design rests on: a reentrant activation interleaves calls only at their
/// awaits, one turn at a time, so a synchronous stretch of code (a budget decision) needs no lock.
/// </summary>
public sealed class ActivationTurnTests : IAsyncLifetime
{
    private Orleans.TestingHost.InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestClusters.StartAsync(1, TimeProvider.System, silo => silo.AddTestGrainStorage());

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_reentrant_activation_interleaves_calls_at_awaits_and_never_runs_two_turns_at_once()
    {
        var grain = _cluster.Client.GetGrain<ITurnProbeGrain>("probe");

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => grain.RunAsync(steps: 20)));

        var report = await grain.ReportAsync();
        Assert.True(report.MostAwaiting > 1, $"calls did not interleave (at most {report.MostAwaiting} awaiting at once)");
        Assert.Equal(0, report.Overlaps);
    }
}
