using OrleansTenancy.Runtime.Tests.Grains;
using OrleansTenancy.Runtime.Tests.Infrastructure;

namespace OrleansTenancy.Runtime.Tests;

[Collection(ClusterCollection.Name)]
public sealed class CallTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Call_that_never_completes_times_out_after_ResponseTimeout_and_its_token_is_cancelled()
    {
        var key = Probe.NewKey("timeout");
        var probe = Probe.For(key);
        var call = fixture.Cluster.Client.GetGrain<ITimeoutGrain>(key).WaitForever(CancellationToken.None);
        await probe.WaitAsync("entered");

        fixture.Time.Advance(ClusterFixture.ResponseTimeout - TimeSpan.FromMilliseconds(1));
        Assert.False(call.IsCompleted);
        fixture.Time.Advance(TimeSpan.FromMilliseconds(1));

        var exception = await Assert.ThrowsAsync<TimeoutException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("ITimeoutGrain.WaitForever", exception.Message);
        await probe.WaitAsync("cancelled");
    }

    [Fact]
    public async Task Local_call_times_out_too()
    {
        var key = Probe.NewKey("timeout-local");
        var probe = Probe.For(key);
        var call = fixture.Cluster.OwnerFactory<ITimeoutGrain>(key).GetGrain<ITimeoutGrain>(key).WaitForever(CancellationToken.None);
        await probe.WaitAsync("entered");

        fixture.Time.Advance(ClusterFixture.ResponseTimeout);

        await Assert.ThrowsAsync<TimeoutException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
        await probe.WaitAsync("cancelled");
    }

    [Fact]
    public async Task Exceptions_reach_a_remote_caller_with_type_and_message()
    {
        var grain = fixture.Cluster.Client.GetGrain<IPlacementGrain>(Probe.NewKey("throw"));

        var invalid = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.ThrowInvalid("no such budget: acme"));
        Assert.Equal("no such budget: acme", invalid.Message);

        var custom = await Assert.ThrowsAsync<GrainRuleBrokenException>(() => grain.ThrowCustom("rule 7"));
        Assert.Equal("rule 7", custom.Message);

        var unknown = await Assert.ThrowsAsync<GrainCallException>(() => grain.ThrowUnknown("bad bytes"));
        Assert.Equal("System.IO.InvalidDataException", unknown.OriginalExceptionType);
        Assert.Equal("bad bytes", unknown.OriginalMessage);
    }

    [Fact]
    public async Task Exceptions_reach_a_local_caller_as_the_thrown_type()
    {
        var key = Probe.NewKey("throw-local");
        var grain = fixture.Cluster.OwnerFactory<IPlacementGrain>(key).GetGrain<IPlacementGrain>(key);

        var unknown = await Assert.ThrowsAsync<System.IO.InvalidDataException>(() => grain.ThrowUnknown("bad bytes"));
        Assert.Equal("bad bytes", unknown.Message);
    }

    [Fact]
    public async Task Exception_thrown_by_a_grain_on_another_silo_reaches_the_client_through_a_grain_to_grain_call()
    {
        var cluster = fixture.Cluster;
        var first = Probe.NewKey("chain");
        var second = cluster.KeyOwnedElsewhere<IPlacementGrain>("chain", cluster.GetOwner<IPlacementGrain>(first));

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(
            () => cluster.Client.GetGrain<IPlacementGrain>(first).CallOtherThatThrows(second, "tenant acme is over budget"));
        Assert.Equal("tenant acme is over budget", exception.Message);
    }

    [Fact]
    public async Task Grains_spread_over_three_silos_by_consistent_hash_and_a_key_always_lands_on_its_owner()
    {
        var cluster = fixture.Cluster;
        var placements = new Dictionary<string, string>();
        for (var i = 0; i < 60; i++)
        {
            var key = Probe.NewKey("place");
            var silo = await cluster.Client.GetGrain<IPlacementGrain>(key).WhereAmI();
            Assert.Equal(cluster.GetOwner<IPlacementGrain>(key).Address.ToString(), silo);
            placements[key] = silo;
        }

        Assert.Equal(3, placements.Values.Distinct().Count());
        foreach (var (key, silo) in placements.Take(10))
        {
            foreach (var caller in cluster.Silos)
            {
                Assert.Equal(silo, await caller.GrainFactory.GetGrain<IPlacementGrain>(key).WhereAmI());
            }
        }
    }

    [Fact]
    public async Task Grain_calls_a_grain_on_another_silo()
    {
        var cluster = fixture.Cluster;
        var first = Probe.NewKey("g2g");
        var firstOwner = cluster.GetOwner<IPlacementGrain>(first);
        var second = cluster.KeyOwnedElsewhere<IPlacementGrain>("g2g", firstOwner);

        var result = await cluster.Client.GetGrain<IPlacementGrain>(first).CallOther(second);

        Assert.Equal(new CallResult(firstOwner.Address.ToString(), cluster.GetOwner<IPlacementGrain>(second).Address.ToString()), result);
        Assert.NotEqual(result.Silo, result.OtherSilo);
    }

    [Fact]
    public async Task ValueTask_methods_complete_locally_and_remotely()
    {
        var key = Probe.NewKey("valuetask");
        var when = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.FromHours(2));
        foreach (var factory in new[] { fixture.Cluster.Client, fixture.Cluster.OwnerFactory<IPlacementGrain>(key) })
        {
            var grain = factory.GetGrain<IPlacementGrain>(key);
            await grain.Touch("touched");
            Assert.Equal($"7@{when:O}", await grain.Describe(7, when));
        }

        Assert.Equal(["touched", "touched"], Probe.For(key).Entries);
    }

    [Fact]
    public void References_to_the_same_grain_are_equal()
    {
        var factory = fixture.Cluster.Client;
        Assert.Equal(factory.GetGrain<IPlacementGrain>("same"), factory.GetGrain<IPlacementGrain>("same"));
        Assert.NotEqual(factory.GetGrain<IPlacementGrain>("same"), factory.GetGrain<IPlacementGrain>("other"));
    }

    [Fact]
    public async Task Records_and_collections_round_trip_through_the_serializer()
    {
        var payload = new Payload("acme", 41, ["a", "b"]);

        var echoed = await fixture.Cluster.Client.GetGrain<IPlacementGrain>(Probe.NewKey("echo")).Echo(payload);

        Assert.Equal("acme", echoed.Name);
        Assert.Equal(42, echoed.Count);
        Assert.Equal(["a", "b"], echoed.Tags);
    }

    [Fact]
    public async Task Argument_that_cannot_be_serialized_fails_with_an_error_naming_method_parameter_and_type()
    {
        var grain = fixture.Cluster.Client.GetGrain<IPlacementGrain>(Probe.NewKey("badarg"));

        var exception = await Assert.ThrowsAsync<GrainSerializationException>(() => grain.Accept(new BadPayload("x", typeof(int))));

        Assert.Contains("IPlacementGrain.Accept", exception.Message);
        Assert.Contains("'payload'", exception.Message);
        Assert.Contains(typeof(BadPayload).FullName!, exception.Message);
        Assert.Contains("System.Type", exception.Message);
        Assert.Contains("Kind", exception.Message);
    }

    [Fact]
    public async Task Result_that_cannot_be_serialized_fails_the_remote_call_with_an_error_naming_the_method()
    {
        var grain = fixture.Cluster.Client.GetGrain<IPlacementGrain>(Probe.NewKey("badresult"));

        var exception = await Assert.ThrowsAsync<GrainSerializationException>(() => grain.MakeBad());

        Assert.Contains("result of IPlacementGrain.MakeBad", exception.Message);
        Assert.Contains("System.Type", exception.Message);
    }

    [Fact]
    public async Task Local_calls_are_isolated_through_the_serializer_in_the_test_cluster()
    {
        var key = Probe.NewKey("isolated");
        var grain = fixture.Cluster.OwnerFactory<IPlacementGrain>(key).GetGrain<IPlacementGrain>(key);

        await Assert.ThrowsAsync<GrainSerializationException>(() => grain.Accept(new BadPayload("x", typeof(int))));
        var exception = await Assert.ThrowsAsync<GrainSerializationException>(() => grain.MakeBad());
        Assert.Contains("result of IPlacementGrain.MakeBad", exception.Message);
    }
}
