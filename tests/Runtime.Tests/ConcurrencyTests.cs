using OrleansTenancy.Runtime.Tests.Grains;
using OrleansTenancy.Runtime.Tests.Infrastructure;

namespace OrleansTenancy.Runtime.Tests;

/// <summary>
/// Calls go through the owner silo's factory, so each call is queued or started synchronously; a
/// [AlwaysInterleave] GetLog issued afterwards runs on the activation's serial scheduler after anything
/// wrongly started before it, which makes "has not started" observable without waiting.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ConcurrencyTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Non_reentrant_grain_does_not_start_a_second_call_while_the_first_awaits()
    {
        var key = Probe.NewKey("turn");
        var probe = Probe.For(key);
        var grain = fixture.Cluster.OwnerFactory<ITurnGrain>(key).GetGrain<ITurnGrain>(key);

        var first = grain.Block("g1");
        await probe.WaitAsync("entered:g1");
        var second = grain.Record("second");

        Assert.DoesNotContain("second", await grain.GetLog());
        Assert.False(second.IsCompleted);

        probe.Signal("g1");
        await first;
        await second;
        Assert.Equal(["g1:start", "g1:end", "second"], probe.Entries);
    }

    [Fact]
    public async Task Queued_call_whose_caller_timed_out_is_dropped_instead_of_run()
    {
        var key = Probe.NewKey("expired");
        var probe = Probe.For(key);
        var grain = fixture.Cluster.OwnerFactory<ITurnGrain>(key).GetGrain<ITurnGrain>(key);
        var first = grain.Block("g1");
        await probe.WaitAsync("entered:g1");
        var second = grain.Record("second");

        fixture.Time.Advance(ClusterFixture.ResponseTimeout);
        await Assert.ThrowsAsync<TimeoutException>(() => second.WaitAsync(TimeSpan.FromSeconds(10)));
        probe.Signal("g1");
        await Assert.ThrowsAsync<TimeoutException>(() => first.WaitAsync(TimeSpan.FromSeconds(10)));

        await grain.Record("third");
        Assert.Equal(["g1:start", "g1:end", "third"], probe.Entries);
    }

    [Fact]
    public async Task Reentrant_grain_runs_a_second_call_while_the_first_awaits()
    {
        var key = Probe.NewKey("reentrant");
        var probe = Probe.For(key);
        var grain = fixture.Cluster.OwnerFactory<IReentrantGrain>(key).GetGrain<IReentrantGrain>(key);

        var first = grain.Block("g1");
        await probe.WaitAsync("entered:g1");
        await grain.Record("second").WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(first.IsCompleted);

        probe.Signal("g1");
        await first;
        Assert.Equal(["second", "g1:end"], probe.Entries);
    }

    [Fact]
    public async Task Interleaving_calls_of_a_reentrant_grain_never_run_on_two_threads_at_once()
    {
        var key = Probe.NewKey("churn");
        var grain = fixture.Cluster.OwnerFactory<IReentrantGrain>(key).GetGrain<IReentrantGrain>(key);

        var overlaps = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => grain.Churn()));

        Assert.Equal(0, overlaps.Max());
    }

    [Fact]
    public async Task AlwaysInterleave_method_runs_while_a_call_blocks_a_non_reentrant_grain()
    {
        var key = Probe.NewKey("interleave");
        var probe = Probe.For(key);
        var grain = fixture.Cluster.Client.GetGrain<ITurnGrain>(key);

        var first = grain.Block("g1");
        await probe.WaitAsync("entered:g1");
        Assert.Equal("interleaved", await grain.Interleaved().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(first.IsCompleted);

        probe.Signal("g1");
        await first;
    }

    [Fact]
    public async Task ReadOnly_calls_interleave_with_each_other_but_a_writer_waits_for_them_and_later_readers_wait_for_the_writer()
    {
        var key = Probe.NewKey("readonly");
        var probe = Probe.For(key);
        var grain = fixture.Cluster.OwnerFactory<ITurnGrain>(key).GetGrain<ITurnGrain>(key);

        var read1 = grain.ReadBlock("r1");
        await probe.WaitAsync("entered:r1");
        var read2 = grain.ReadBlock("r2");
        await probe.WaitAsync("entered:r2");

        var write = grain.Record("write");
        var lateRead = grain.ReadRecord("late-read");
        var log = await grain.GetLog();
        Assert.DoesNotContain("write", log);
        Assert.DoesNotContain("late-read", log);

        probe.Signal("r1");
        probe.Signal("r2");
        await Task.WhenAll(read1, read2, write, lateRead);
        Assert.Equal(["write", "late-read"], probe.Entries[^2..]);
    }

    [Fact]
    public async Task ReadOnly_call_waits_for_a_running_writer()
    {
        var key = Probe.NewKey("writer");
        var probe = Probe.For(key);
        var grain = fixture.Cluster.OwnerFactory<ITurnGrain>(key).GetGrain<ITurnGrain>(key);

        var write = grain.Block("w");
        await probe.WaitAsync("entered:w");
        var read = grain.ReadRecord("read");
        Assert.DoesNotContain("read", await grain.GetLog());

        probe.Signal("w");
        await Task.WhenAll(write, read);
        Assert.Equal(["w:start", "w:end", "read"], probe.Entries);
    }

    [Fact]
    public async Task Stateless_worker_scales_to_its_maximum_under_blocked_calls_and_never_beyond()
    {
        var key = Probe.NewKey("worker");
        var probe = Probe.For(key);
        var grain = fixture.Cluster.Silos[0].GrainFactory.GetGrain<IWorkerGrain>(key);

        var calls = Enumerable.Range(0, 5).Select(_ => grain.Block("gate").AsTask()).ToList();
        await probe.WaitAsync("entered:3");
        Assert.Equal(3, probe.Count("instances"));
        Assert.Equal(3, probe.Count("entered"));

        probe.Signal("gate");
        var instances = await Task.WhenAll(calls);
        Assert.Equal(3, probe.Count("instances"));
        Assert.Equal(5, probe.Count("entered"));
        Assert.Equal([1, 2, 3], instances.Distinct().Order());
    }
}
