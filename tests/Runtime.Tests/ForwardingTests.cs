using OrleansTenancy.Runtime.Client;
using OrleansTenancy.Runtime.Membership;
using OrleansTenancy.Runtime.Messaging;
using OrleansTenancy.Runtime.Metadata;
using OrleansTenancy.Runtime.Testing;
using OrleansTenancy.Runtime.Tests.Grains;
using OrleansTenancy.Runtime.Tests.Infrastructure;

namespace OrleansTenancy.Runtime.Tests;

public sealed class ForwardingTests
{
    [Fact]
    public async Task Call_sent_with_a_stale_view_is_forwarded_by_the_old_owner_to_the_new_owner()
    {
        await using var cluster = await TestClusterBuilder.Create().WithSilos(2).AddGrainsFrom(typeof(PlacementGrain).Assembly)
            .ConfigureRuntime(r => r.AddGrainStorage("Default", _ => new TestGrainStorage())).BuildAndStartAsync();
        var before = await cluster.MembershipTable.ReadAllAsync(CancellationToken.None);
        var joined = await cluster.StartSiloAsync();
        var key = Enumerable.Range(0, 1000).Select(_ => Probe.NewKey("fwd")).First(k => cluster.GetOwner<IPlacementGrain>(k).Address == joined.Address);
        await using var staleClient = await ClusterClient.ConnectAsync(
            new SiloAddress("stale-client", 2, 0),
            new GrainTypeRegistry([typeof(PlacementGrain).Assembly]),
            new FrozenMembershipTable(before),
            cluster.Transport,
            new GrainSerializationOptions(),
            cluster.TimeProvider,
            TimeSpan.FromSeconds(30),
            loggers: null,
            CancellationToken.None);
        Assert.NotEqual(joined.Address, staleClient.MembershipView.Ring.GetOwner(new GrainIdentity(typeof(IPlacementGrain).FullName!, key)));

        var where = await staleClient.GetGrain<IPlacementGrain>(key).WhereAmI();

        Assert.Equal(joined.Address.ToString(), where);
    }

    private sealed class FrozenMembershipTable(MembershipTableSnapshot snapshot) : IMembershipTable
    {
        public Task<MembershipTableSnapshot> ReadAllAsync(CancellationToken cancellationToken) => Task.FromResult(snapshot);

        public Task<bool> TryWriteAsync(MembershipEntry entry, long expectedVersion, CancellationToken cancellationToken) => Task.FromResult(false);
    }
}
