using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Workspaces;
using OrleansTenancy.Runtime;
using OrleansTenancy.Runtime.Storage;
using OrleansTenancy.Runtime.Testing;
using OrleansTenancy.Tenancy;

namespace OrleansTenancy.Grains.Tests.Workspaces;

/// <summary>
/// Two silos sharing one in-memory storage and one manual clock, with small workspace limits so that limit tests
/// stay small. Tests use fresh workspaces (<see cref="NewContext"/>), so they share the cluster but no data.
/// </summary>
public sealed class WorkspaceClusterFixture : IAsyncLifetime
{
    public static readonly TimeSpan CollectionAge = TimeSpan.FromMinutes(15);

    public TestCluster Cluster { get; private set; } = null!;

    public FlakyGrainStorage Storage { get; } = new();

    public ManualTimeProvider Time => Cluster.Time!;

    public async Task InitializeAsync()
    {
        Cluster = await TestClusterBuilder.Create()
            .WithSilos(2)
            .AddGrainsFrom(typeof(WorkspaceGrain).Assembly)
            .ConfigureOptions(o => o.CollectionAge = CollectionAge)
            .ConfigureRuntime(r => r.AddGrainStorage("Default", _ => Storage))
            .ConfigureServices(s => s.AddWorkspaceMemory(o =>
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
            }))
            .BuildAndStartAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    public static TenantContext NewContext(string tenantPrefix = "t") =>
        new($"{tenantPrefix}-{Guid.NewGuid():N}"[..20], $"w-{Guid.NewGuid():N}"[..12]);

    public IWorkspaceGrain Grain(TenantContext context) =>
        Cluster.Client.GetGrain<IWorkspaceGrain>($"{context.Tenant}/{context.Workspace}");

    /// <summary>A reference whose calls start on the silo that does not own the grain, so they cross silos.</summary>
    public IWorkspaceGrain GrainFromOtherSilo(TenantContext context)
    {
        var key = $"{context.Tenant}/{context.Workspace}";
        var owner = Cluster.GetOwner<IWorkspaceGrain>(key);
        return Cluster.ActiveSilos.Single(s => s.Address != owner.Address).GrainFactory.GetGrain<IWorkspaceGrain>(key);
    }

    /// <summary>Makes the grain's activation idle past the collection age, so the next call activates it afresh.</summary>
    public void CollectIdleActivations() => Time.Advance(CollectionAge + TimeSpan.FromMinutes(2));
}

[CollectionDefinition(Name)]
public sealed class WorkspaceClusterCollection : ICollectionFixture<WorkspaceClusterFixture>
{
    public const string Name = "workspace cluster";
}

/// <summary>In-memory storage whose next write can be made to fail, to observe what a grain does when persisting fails.</summary>
public sealed class FlakyGrainStorage : IGrainStorage
{
    private readonly MemoryGrainStorage _inner = new();
    private int _failNextWrite;
    private int _reads;

    public int Reads => Volatile.Read(ref _reads);

    public void FailNextWrite() => Interlocked.Exchange(ref _failNextWrite, 1);

    public Task ReadStateAsync<T>(string stateName, GrainIdentity grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
        where T : new()
    {
        Interlocked.Increment(ref _reads);
        return _inner.ReadStateAsync(stateName, grainId, grainState, cancellationToken);
    }

    public Task WriteStateAsync<T>(string stateName, GrainIdentity grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _failNextWrite, 0) == 1)
        {
            throw new TimeoutException($"Write of '{stateName}' for {grainId} failed on purpose.");
        }

        return _inner.WriteStateAsync(stateName, grainId, grainState, cancellationToken);
    }

    public Task ClearStateAsync<T>(string stateName, GrainIdentity grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
        where T : new() =>
        _inner.ClearStateAsync(stateName, grainId, grainState, cancellationToken);
}
