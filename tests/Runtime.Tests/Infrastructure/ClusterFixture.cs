using OrleansTenancy.Runtime.Testing;

namespace OrleansTenancy.Runtime.Tests.Infrastructure;

/// <summary>A three-silo cluster shared by the tests of <see cref="ClusterCollection"/>; tests use unique keys.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public static readonly TimeSpan ResponseTimeout = TimeSpan.FromMilliseconds(200);

    public TestCluster Cluster { get; private set; } = null!;

    public TestGrainStorage Storage { get; } = new();

    public ManualTimeProvider Time => Cluster.Time!;

    public async Task InitializeAsync()
    {
        Cluster = await TestClusterBuilder.Create()
            .WithSilos(3)
            .AddGrainsFrom(typeof(ClusterFixture).Assembly)
            .ConfigureOptions(o =>
            {
                o.ResponseTimeout = ResponseTimeout;
                o.MaxStatelessWorkersPerSilo = 8;
            })
            .ConfigureRuntime(r => r.AddGrainStorage("Default", _ => Storage))
            .BuildAndStartAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
