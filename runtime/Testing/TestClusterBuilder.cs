using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using OrleansTenancy.Runtime.Hosting;

namespace OrleansTenancy.Runtime.Testing;

/// <summary>
/// Builds an in-process cluster: N silos, each with its own host and service provider, sharing one
/// in-memory membership table, one in-memory transport (every cross-silo call is serialized) and one clock.
/// </summary>
public sealed class TestClusterBuilder
{
    private readonly List<Assembly> _assemblies = [];
    private readonly List<Action<IServiceCollection>> _services = [];
    private readonly List<Action<GrainRuntimeBuilder>> _runtime = [];
    private readonly List<Action<GrainRuntimeOptions>> _options = [];
    private int _siloCount = 1;
    private TimeProvider? _time;

    private TestClusterBuilder()
    {
    }

    /// <summary>Starts a builder for a one-silo cluster on a <see cref="ManualTimeProvider"/>.</summary>
    public static TestClusterBuilder Create() => new();

    /// <summary>Sets the number of silos started (default 1).</summary>
    public TestClusterBuilder WithSilos(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _siloCount = count;
        return this;
    }

    /// <summary>Registers the grain classes of <paramref name="assembly"/> on every silo (and their interfaces on the client).</summary>
    public TestClusterBuilder AddGrainsFrom(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        _assemblies.Add(assembly);
        return this;
    }

    /// <summary>Adds services to every silo (domain services, storage dependencies).</summary>
    public TestClusterBuilder ConfigureServices(Action<IServiceCollection> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _services.Add(configure);
        return this;
    }

    /// <summary>Configures every silo's grain runtime (storage providers, serialization).</summary>
    public TestClusterBuilder ConfigureRuntime(Action<GrainRuntimeBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _runtime.Add(configure);
        return this;
    }

    /// <summary>
    /// Adjusts every silo's options (and the client's response timeout). The cluster sets
    /// <see cref="GrainRuntimeOptions.IsolateLocalCalls"/> to true first, so local calls are serialized too.
    /// </summary>
    public TestClusterBuilder ConfigureOptions(Action<GrainRuntimeOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _options.Add(configure);
        return this;
    }

    /// <summary>Uses <paramref name="time"/> for all silos instead of a fresh <see cref="ManualTimeProvider"/>.</summary>
    public TestClusterBuilder WithTimeProvider(TimeProvider time)
    {
        _time = time ?? throw new ArgumentNullException(nameof(time));
        return this;
    }

    /// <summary>Starts the silos one after another, then connects the client.</summary>
    public async Task<TestCluster> BuildAndStartAsync(CancellationToken cancellationToken = default)
    {
        var cluster = new TestCluster(
            _time ?? new ManualTimeProvider(),
            [.. _assemblies],
            [.. _services],
            [.. _runtime],
            [.. _options]);
        try
        {
            for (var i = 0; i < _siloCount; i++)
            {
                await cluster.StartSiloAsync(cancellationToken);
            }

            await cluster.ConnectClientAsync(cancellationToken);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }
}
