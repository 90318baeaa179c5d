using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansTenancy.Runtime.Hosting;
using OrleansTenancy.Runtime.Membership;
using OrleansTenancy.Runtime.Placement;
using OrleansTenancy.Runtime.Testing;
using OrleansTenancy.Runtime.Tests.Grains;
using OrleansTenancy.Runtime.Tests.Infrastructure;

namespace OrleansTenancy.Runtime.Tests;

public sealed class StandaloneTests
{
    [Fact]
    public async Task Single_silo_host_serves_grains_and_deactivates_them_on_stop()
    {
        var storage = new TestGrainStorage();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddGrainRuntime(o => o.SiloPort = 40001)
            .AddGrains(typeof(CounterGrain).Assembly)
            .AddGrainStorage("Default", _ => storage);
        var host = builder.Build();
        await host.StartAsync();
        var key = Probe.NewKey("single");
        var probe = Probe.For(key);

        var factory = host.Services.GetRequiredService<IGrainFactory>();
        Assert.Equal(1, await factory.GetGrain<ICounterGrain>(key).Increment());
        await host.StopAsync();
        await ((IAsyncDisposable)host).DisposeAsync();

        Assert.Equal("deactivate:ShuttingDown", probe.Entries[^1]);
    }

    [Fact]
    public async Task Missing_storage_provider_fails_startup_naming_the_grain_parameter_and_provider()
    {
        var cluster = TestClusterBuilder.Create().AddGrainsFrom(typeof(CounterGrain).Assembly);

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => cluster.BuildAndStartAsync());

        Assert.Contains(typeof(CounterGrain).FullName!, exception.Message);
        Assert.Contains("'state'", exception.Message);
        Assert.Contains("'Default'", exception.Message);
        Assert.Contains("AddGrainStorage", exception.Message);
    }

    [Fact]
    public async Task Stopping_a_silo_deactivates_its_grains_and_their_next_call_is_served_by_another_silo()
    {
        var storage = new TestGrainStorage();
        await using var cluster = await TestClusterBuilder.Create()
            .WithSilos(2)
            .AddGrainsFrom(typeof(CounterGrain).Assembly)
            .ConfigureRuntime(r => r.AddGrainStorage("Default", _ => storage))
            .BuildAndStartAsync();
        var doomed = cluster.Silos[1];
        var key = cluster.KeyOwnedElsewhere<ICounterGrain>("stop", cluster.Silos[0]);
        var probe = Probe.For(key);
        Assert.Equal(1, await cluster.Client.GetGrain<ICounterGrain>(key).Increment());

        await cluster.StopSiloAsync(doomed);

        Assert.Equal("deactivate:ShuttingDown", probe.Entries[^1]);
        Assert.Equal(cluster.Silos[0].Address, cluster.GetOwner<ICounterGrain>(key).Address);
        Assert.Equal(2, await cluster.Client.GetGrain<ICounterGrain>(key).Increment());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(ConsistentHashRing.DefaultPointsPerSilo)]
    public void Ring_owner_is_the_silo_with_the_largest_point_not_above_the_grain_hash_wrapping_to_the_largest(int pointsPerSilo)
    {
        var silos = Enumerable.Range(0, 5).Select(i => new SiloAddress("10.0.0." + i, 11111, 7)).ToList();
        var ring = new ConsistentHashRing(silos, pointsPerSilo);
        var hashes = silos.SelectMany(s => Enumerable.Range(0, pointsPerSilo).Select(i => (Hash: ConsistentHashRing.PointHash(s, i, pointsPerSilo), Silo: s)))
            .OrderBy(p => p.Hash).ToList();

        for (var i = 0; i < 500; i++)
        {
            var id = new GrainIdentity("T", "k" + i);
            var grainHash = StableHash.Of(id.Type, id.Key);
            var expected = hashes.LastOrDefault(p => p.Hash <= grainHash, hashes[^1]).Silo;
            Assert.Equal(expected, ring.GetOwner(id));
        }
    }

    [Fact]
    public void Options_validator_names_the_property_and_its_range()
    {
        var result = new GrainRuntimeOptionsValidator().Validate(null, new GrainRuntimeOptions
        {
            MaxStatelessWorkersPerSilo = 0,
            CollectionQuantum = TimeSpan.FromHours(1),
            ResponseTimeout = TimeSpan.Zero,
        });

        Assert.True(result.Failed);
        Assert.Contains("GrainRuntimeOptions.MaxStatelessWorkersPerSilo is 0; it must be at least 1.", result.Failures!);
        Assert.Contains(result.Failures!, f => f.StartsWith("GrainRuntimeOptions.CollectionQuantum", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("GrainRuntimeOptions.ResponseTimeout", StringComparison.Ordinal));
        Assert.Equal(ValidateOptionsResult.Success, new GrainRuntimeOptionsValidator().Validate(null, new GrainRuntimeOptions()));
    }
}
