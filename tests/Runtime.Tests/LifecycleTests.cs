using OrleansTenancy.Runtime.Tests.Grains;
using OrleansTenancy.Runtime.Tests.Infrastructure;

namespace OrleansTenancy.Runtime.Tests;

[Collection(ClusterCollection.Name)]
public sealed class LifecycleTests(ClusterFixture fixture)
{
    [Fact]
    public async Task First_call_activates_with_state_read_before_OnActivate_and_DeactivateOnIdle_runs_OnDeactivate_after_the_call()
    {
        var key = Probe.NewKey("life");
        var probe = Probe.For(key);
        var grain = fixture.Cluster.Client.GetGrain<ICounterGrain>(key);
        Assert.Empty(probe.Entries);

        Assert.Equal(0, await grain.GetValue());
        await grain.DeactivateWhenDone();
        await probe.WaitAsync("deactivated:1");

        Assert.Equal(["activate:0:False", "get", "deactivate-requested", "deactivate:ApplicationRequested"], probe.Entries);

        Assert.Equal(0, await grain.GetValue());
        Assert.Equal(2, probe.Count("activations"));
        Assert.Equal(["activate:0:False", "get"], probe.Entries[4..]);
    }

    [Fact]
    public async Task Idle_activation_is_collected_after_CollectionAge_and_the_next_call_rereads_storage()
    {
        var key = Probe.NewKey("idle");
        var probe = Probe.For(key);
        var grain = fixture.Cluster.Client.GetGrain<ICounterGrain>(key);
        Assert.Equal(1, await grain.Increment());

        fixture.Time.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(0, probe.Count("deactivations"));

        fixture.Time.Advance(TimeSpan.FromMinutes(2));
        await probe.WaitAsync("deactivated:1");
        Assert.Contains("deactivate:ActivationIdle", probe.Entries);

        var readsBefore = fixture.Storage.Reads;
        fixture.Storage.WriteBehindTheGrainsBack("counter", new GrainIdentity(typeof(ICounterGrain).FullName!, key), new CounterState { Value = 41 });
        Assert.Equal(41, await grain.GetValue());
        Assert.Equal(2, probe.Count("activations"));
        Assert.True(fixture.Storage.Reads > readsBefore);
    }

    [Fact]
    public async Task Etag_conflict_reaches_the_caller_as_InconsistentStateException_and_deactivates_the_activation()
    {
        var key = Probe.NewKey("etag");
        var probe = Probe.For(key);
        var grain = fixture.Cluster.Client.GetGrain<ICounterGrain>(key);
        Assert.Equal(1, await grain.Increment());

        fixture.Storage.WriteBehindTheGrainsBack("counter", new GrainIdentity(typeof(ICounterGrain).FullName!, key), new CounterState { Value = 10 });
        await Assert.ThrowsAsync<InconsistentStateException>(() => grain.Increment());

        await probe.WaitAsync("deactivated:1");
        Assert.Contains("deactivate:ApplicationError", probe.Entries);
        Assert.Equal(10, await grain.GetValue());
        Assert.Equal(11, await grain.Increment());
    }

    [Fact]
    public async Task Timer_ticks_run_as_turns_that_wait_for_a_running_call()
    {
        var key = Probe.NewKey("timer");
        var probe = Probe.For(key);
        var grain = fixture.Cluster.OwnerFactory<ITurnGrain>(key).GetGrain<ITurnGrain>(key);
        // The period stays below the response timeout: the clock moves while a call is pending.
        var period = ClusterFixture.ResponseTimeout / 2;
        await grain.StartTimer(period);

        fixture.Time.Advance(period);
        await probe.WaitAsync("tick1");
        await grain.Record("after-tick1");

        var call = grain.Block("g");
        await probe.WaitAsync("entered:g");
        fixture.Time.Advance(period);
        Assert.DoesNotContain("tick2", await grain.GetLog());

        probe.Signal("g");
        await call;
        await probe.WaitAsync("tick2");
        await grain.StopTimer();
        Assert.Equal(["tick1", "after-tick1", "g:start", "g:end", "tick2"], probe.Entries);
    }
}
