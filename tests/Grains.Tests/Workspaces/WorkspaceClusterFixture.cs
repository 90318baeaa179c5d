using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using Orleans.TestingHost;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Tests.Infrastructure;
using OrleansTenancy.Grains.Workspaces;
using OrleansTenancy.Tenancy.Memory;
using TenantContext = OrleansTenancy.Tenancy.TenantContext;

namespace OrleansTenancy.Grains.Tests.Workspaces;

/// <summary>
/// Two silos sharing Orleans' memory storage (behind <see cref="FlakyGrainStorage"/>) and one test clock, with small
/// workspace limits so that limit tests stay small. Tests use fresh workspaces (<see cref="NewContext"/>), so they share
/// the cluster but no data.
/// </summary>
public sealed class WorkspaceClusterFixture : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;

    public FlakyStorageControl Storage { get; } = new();

    public TestClock Time { get; } = new();

    public async Task InitializeAsync()
    {
        Cluster = await TestClusters.StartAsync(2, Time, silo =>
        {
            silo.AddMemoryGrainStorage(TestClusters.InnerStorage);
            silo.Services.AddGrainStorage("Default", (services, _) => new FlakyGrainStorage(services.GetRequiredKeyedService<IGrainStorage>(TestClusters.InnerStorage), Storage));
            silo.Services.AddWorkspaceMemory(o =>
            {
                o.MaxEntriesPerWorkspace = 12;
                o.MaxNamespaces = 3;
                o.MaxTextLength = 100;
                o.MaxMetadataPairs = 3;
                o.MaxMetadataKeyLength = 16;
                o.MaxMetadataValueLength = 32;
                o.MaxCacheEntries = 3;
                o.MaxCachePayloadLength = 64;
                o.MaxCacheTtl = TimeSpan.FromHours(2);
            });
        });
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    public static TenantContext NewContext(string tenantPrefix = "t") =>
        new($"{tenantPrefix}-{Guid.NewGuid():N}"[..20], $"w-{Guid.NewGuid():N}"[..12]);

    public IWorkspaceGrain Grain(TenantContext context) =>
        Cluster.Client.GetGrain<IWorkspaceGrain>(WorkspaceGrainKey.Format(context));

    /// <summary>A reference whose calls start on the silo that does not host the grain's activation, so they cross silos.</summary>
    public async Task<IWorkspaceGrain> GrainFromOtherSiloAsync(TenantContext context)
    {
        var grain = Grain(context);
        await grain.ListNamespacesAsync();
        Assert.True(Cluster.TryGetGrainContext(grain.GetGrainId(), out var activation), "the grain has no activation");
        var other = Cluster.GetActiveSilos().Single(s => !s.SiloAddress.Equals(activation.Address.SiloAddress));
        return ((InProcessSiloHandle)other).ServiceProvider.GetRequiredService<IGrainFactory>().GetGrain<IWorkspaceGrain>(WorkspaceGrainKey.Format(context));
    }

    /// <summary>Deactivates the grain's activation (as idle collection would), so the next call activates it afresh from storage.</summary>
    public Task DeactivateAsync(TenantContext context) => Cluster.DeactivateAsync(Grain(context));
}

[CollectionDefinition(Name)]
public sealed class WorkspaceClusterCollection : ICollectionFixture<WorkspaceClusterFixture>
{
    public const string Name = "workspace cluster";
}

/// <summary>Makes the next write of any silo fail, and counts reads, to observe what a grain does when persisting fails.</summary>
public sealed class FlakyStorageControl
{
    private int _failNextWrite;
    private int _reads;

    public int Reads => Volatile.Read(ref _reads);

    public void FailNextWrite() => Interlocked.Exchange(ref _failNextWrite, 1);

    internal bool TakeFailure() => Interlocked.Exchange(ref _failNextWrite, 0) == 1;

    internal void CountRead() => Interlocked.Increment(ref _reads);
}

/// <summary>A silo's memory storage whose writes fail when <see cref="FlakyStorageControl"/> says so.</summary>
public sealed class FlakyGrainStorage(IGrainStorage inner, FlakyStorageControl control) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        control.CountRead();
        return inner.ReadStateAsync(stateName, grainId, grainState);
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        control.TakeFailure()
            ? throw new TimeoutException($"Write of '{stateName}' for {grainId} failed on purpose.")
            : inner.WriteStateAsync(stateName, grainId, grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);
}
