using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Runtime.Membership;
using Orleans.Runtime.MembershipService;
using OrleansTenancy.TestSupport;

namespace OrleansTenancy.Storage.Tests;

/// <summary>
/// The membership statements of <c>deploy/sql/postgresql/003-cluster-membership.sql</c>, run by Orleans' own AdoNet
/// clustering provider (<see cref="AdoNetClusteringTable"/>, <see cref="AdoNetGatewayListProvider"/>) against a
/// database the scripts prepared: the contract Orleans' membership protocol relies on.
/// </summary>
[RequiresPostgres]
public sealed class PostgresMembershipTableTests : IAsyncLifetime
{
    private readonly PostgresFixture _database = new();
    private readonly string _clusterId = "cluster-" + Guid.NewGuid().ToString("N")[..8];
    private static readonly DateTime Start = new(2026, 3, 10, 12, 0, 0, 123, DateTimeKind.Utc);

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        if (!PostgresFixture.Skipped)
        {
            await PostgresScripts.ApplyAsync(_database.ConnectionString, CancellationToken.None);
        }
    }

    public Task DisposeAsync() => _database.DisposeAsync();

    [StoreFact]
    public async Task A_new_cluster_starts_at_version_zero_with_no_silos_and_a_second_initialisation_changes_nothing()
    {
        var table = await TableAsync();
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true, CancellationToken.None);

        var data = await table.ReadAllAsync(CancellationToken.None);

        Assert.Empty(data.Members);
        Assert.Equal(0, data.Version.Version);
        Assert.Equal("0", data.Version.VersionEtag);
        Assert.Equal(0, (await (await TableAsync()).ReadAllAsync(CancellationToken.None)).Version.Version);
    }

    [StoreFact]
    public async Task An_inserted_silo_reads_back_field_for_field_and_moves_the_version_on()
    {
        var table = await TableAsync();
        var entry = Entry(11111, SiloStatus.Joining);

        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync(CancellationToken.None)).Version.Next(), CancellationToken.None));

        var data = await table.ReadAllAsync(CancellationToken.None);
        var (read, _) = Assert.Single(data.Members);
        Assert.Equal(1, data.Version.Version);
        Assert.Equal(entry.SiloAddress, read.SiloAddress);
        Assert.Equal((entry.SiloName, entry.HostName, entry.Status, entry.ProxyPort), (read.SiloName, read.HostName, read.Status, read.ProxyPort));
        Assert.Equal(entry.StartTime, read.StartTime);
        Assert.Equal(entry.IAmAliveTime, read.IAmAliveTime);
        Assert.Null(read.SuspectTimes);
    }

    [StoreFact]
    public async Task A_write_decided_on_an_old_version_writes_nothing()
    {
        var table = await TableAsync();
        var empty = await table.ReadAllAsync(CancellationToken.None);
        Assert.True(await table.InsertRowAsync(Entry(11111, SiloStatus.Active), empty.Version.Next(), CancellationToken.None));
        var before = await table.ReadAllAsync(CancellationToken.None);
        var (_, etag) = Assert.Single(before.Members);
        var suspected = Entry(11111, SiloStatus.Active);
        suspected.AddOrUpdateSuspector(SiloAddress.New(IPAddress.Loopback, 11112, 7), Start.AddSeconds(5), maxVotes: 2);
        Assert.True(await table.UpdateRowAsync(suspected, etag, before.Version.Next(), CancellationToken.None));

        // Both decided on a version another write has moved past: refused, and the table is as that write left it.
        Assert.False(await table.InsertRowAsync(Entry(11112, SiloStatus.Active), empty.Version.Next(), CancellationToken.None));
        Assert.False(await table.UpdateRowAsync(Entry(11111, SiloStatus.Dead), etag, before.Version.Next(), CancellationToken.None));

        var after = await table.ReadAllAsync(CancellationToken.None);
        Assert.Equal(2, after.Version.Version);
        var (entry, _) = Assert.Single(after.Members);
        Assert.Equal(SiloStatus.Active, entry.Status);
        Assert.Single(entry.SuspectTimes!);
    }

    [StoreFact]
    public async Task Silos_joining_at_once_on_the_same_version_are_let_in_one_at_a_time()
    {
        var table = await TableAsync();
        var version = (await table.ReadAllAsync(CancellationToken.None)).Version.Next();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var joins = Enumerable.Range(0, 8).Select(async i =>
        {
            var own = await TableAsync();
            await gate.Task;
            return await own.InsertRowAsync(Entry(12000 + i, SiloStatus.Joining), version, CancellationToken.None);
        }).ToList();
        gate.SetResult();

        var results = await Task.WhenAll(joins).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, results.Count(r => r));
        var data = await table.ReadAllAsync(CancellationToken.None);
        Assert.Single(data.Members);
        Assert.Equal(1, data.Version.Version);
    }

    [StoreFact]
    public async Task An_update_stores_status_and_suspicions_and_a_heartbeat_moves_no_version()
    {
        var table = await TableAsync();
        var entry = Entry(11111, SiloStatus.Active);
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync(CancellationToken.None)).Version.Next(), CancellationToken.None));
        var voter = SiloAddress.New(IPAddress.Loopback, 11112, 7);
        var suspected = Entry(11111, SiloStatus.Active);
        suspected.AddOrUpdateSuspector(voter, Start.AddSeconds(5), maxVotes: 2);

        var before = await table.ReadAllAsync(CancellationToken.None);
        Assert.True(await table.UpdateRowAsync(suspected, before.Members[0].Item2, before.Version.Next(), CancellationToken.None));
        await table.UpdateIAmAliveAsync(new MembershipEntry { SiloAddress = entry.SiloAddress, IAmAliveTime = Start.AddSeconds(30) }, CancellationToken.None);

        var data = await table.ReadRowAsync(entry.SiloAddress, CancellationToken.None);
        var (read, _) = Assert.Single(data.Members);
        Assert.Equal(2, data.Version.Version);
        var (by, at) = Assert.Single(read.SuspectTimes!);
        Assert.Equal(voter, by);
        Assert.Equal(Start.AddSeconds(5), at);
        Assert.Equal(Start.AddSeconds(30), read.IAmAliveTime);
    }

    [StoreFact]
    public async Task Reading_a_silo_that_is_not_there_still_returns_the_version()
    {
        var table = await TableAsync();
        Assert.True(await table.InsertRowAsync(Entry(11111, SiloStatus.Active), (await table.ReadAllAsync(CancellationToken.None)).Version.Next(), CancellationToken.None));

        var data = await table.ReadRowAsync(SiloAddress.New(IPAddress.Loopback, 11199, 1), CancellationToken.None);

        Assert.Empty(data.Members);
        Assert.Equal(1, data.Version.Version);
    }

    [StoreFact]
    public async Task Clients_see_the_gateways_of_active_silos_only()
    {
        var table = await TableAsync();
        Assert.True(await table.InsertRowAsync(Entry(11111, SiloStatus.Active, proxyPort: 30001), (await table.ReadAllAsync(CancellationToken.None)).Version.Next(), CancellationToken.None));
        Assert.True(await table.InsertRowAsync(Entry(11112, SiloStatus.Dead, proxyPort: 30002), (await table.ReadAllAsync(CancellationToken.None)).Version.Next(), CancellationToken.None));
        Assert.True(await table.InsertRowAsync(Entry(11113, SiloStatus.Active, proxyPort: 0), (await table.ReadAllAsync(CancellationToken.None)).Version.Next(), CancellationToken.None));
        var gateways = new AdoNetGatewayListProvider(
            NullLogger<AdoNetGatewayListProvider>.Instance,
            new ServiceCollection().BuildServiceProvider(),
            Options.Create(new AdoNetClusteringClientOptions { Invariant = "Npgsql", ConnectionString = _database.ConnectionString }),
            Options.Create(new GatewayOptions()),
            Options.Create(new ClusterOptions { ClusterId = _clusterId, ServiceId = "service" }));
        await gateways.InitializeGatewayListProviderAsync(CancellationToken.None);

        var uri = Assert.Single(await gateways.GetGatewaysAsync(CancellationToken.None));

        Assert.Equal(SiloAddress.New(IPAddress.Loopback, 30001, Entry(11111, SiloStatus.Active).SiloAddress.Generation).ToGatewayUri(), uri);
    }

    [StoreFact]
    public async Task Cleanup_removes_silos_gone_before_the_cut_off_and_never_an_active_one()
    {
        var table = await TableAsync();
        Assert.True(await table.InsertRowAsync(Entry(11111, SiloStatus.Dead), (await table.ReadAllAsync(CancellationToken.None)).Version.Next(), CancellationToken.None));
        Assert.True(await table.InsertRowAsync(Entry(11112, SiloStatus.Active), (await table.ReadAllAsync(CancellationToken.None)).Version.Next(), CancellationToken.None));
        var recent = Entry(11113, SiloStatus.Dead);
        recent.IAmAliveTime = Start.AddHours(2);
        Assert.True(await table.InsertRowAsync(recent, (await table.ReadAllAsync(CancellationToken.None)).Version.Next(), CancellationToken.None));

        await table.CleanupDefunctSiloEntriesAsync(new DateTimeOffset(Start.AddHours(1)), CancellationToken.None);

        Assert.Equal([11112, 11113], (await table.ReadAllAsync(CancellationToken.None)).Members.Select(m => m.Item1.SiloAddress.Endpoint.Port).Order());
    }

    [StoreFact]
    public async Task Deleting_a_cluster_removes_its_silos_and_its_version_and_no_other_cluster()
    {
        var table = await TableAsync();
        var other = await TableAsync("other-" + _clusterId);
        Assert.True(await table.InsertRowAsync(Entry(11111, SiloStatus.Active), (await table.ReadAllAsync(CancellationToken.None)).Version.Next(), CancellationToken.None));
        Assert.True(await other.InsertRowAsync(Entry(11111, SiloStatus.Active), (await other.ReadAllAsync(CancellationToken.None)).Version.Next(), CancellationToken.None));

        await table.DeleteMembershipTableEntriesAsync(_clusterId, CancellationToken.None);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true, CancellationToken.None);

        var data = await table.ReadAllAsync(CancellationToken.None);
        Assert.Empty(data.Members);
        Assert.Equal(0, data.Version.Version);
        Assert.Single((await other.ReadAllAsync(CancellationToken.None)).Members);
    }

    private async Task<AdoNetClusteringTable> TableAsync(string? clusterId = null)
    {
        var table = new AdoNetClusteringTable(
            new ServiceCollection().BuildServiceProvider(),
            Options.Create(new ClusterOptions { ClusterId = clusterId ?? _clusterId, ServiceId = "service" }),
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = GrainStorageSiloBuilderExtensions.NpgsqlInvariant, ConnectionString = _database.ConnectionString }),
            NullLogger<AdoNetClusteringTable>.Instance);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true, CancellationToken.None);
        return table;
    }

    private static MembershipEntry Entry(int port, SiloStatus status, int proxyPort = 30000) => new()
    {
        SiloAddress = SiloAddress.New(IPAddress.Loopback, port, 155_000_000),
        SiloName = $"silo-{port}",
        HostName = "host-a",
        Status = status,
        ProxyPort = proxyPort,
        StartTime = Start,
        IAmAliveTime = Start.AddSeconds(1),
    };
}
