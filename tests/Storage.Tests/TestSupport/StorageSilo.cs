using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Hosting;
using Orleans.Storage;

namespace OrleansTenancy.TestSupport;

/// <summary>
/// A real single-silo Orleans host on loopback ports of its own, with storage providers registered by the test. Several
/// of them on one database stand in for the silos of a cluster (storage only needs them to share the service id).
/// </summary>
public sealed class StorageSilo : IAsyncDisposable
{
    public const string ServiceId = "storage-tests";

    private readonly IHost _host;

    private StorageSilo(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();

    public IGrainStorage Storage(string name) => Services.GetRequiredKeyedService<IGrainStorage>(name);

    /// <summary>Builds and starts a silo; <paramref name="configure"/> registers its storage.</summary>
    public static async Task<StorageSilo> StartAsync(Action<ISiloBuilder> configure, ILoggerProvider? logs = null)
    {
        var host = Build(configure, logs);
        try
        {
            await host.StartAsync().WaitAsync(TimeSpan.FromMinutes(1));
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new StorageSilo(host);
    }

    /// <summary>Builds a silo without starting it (to see a start fail).</summary>
    public static IHost Build(Action<ISiloBuilder> configure, ILoggerProvider? logs = null) =>
        new HostBuilder()
            .ConfigureLogging(logging =>
            {
                if (logs is not null)
                {
                    logging.AddProvider(logs);
                }
            })
            .UseOrleans(silo =>
            {
                var ports = FreePorts.Take(2);
                silo.UseLocalhostClustering(ports[0], ports[1], serviceId: ServiceId, clusterId: "storage-tests-" + Guid.NewGuid().ToString("N")[..8]);
                configure(silo);
            })
            .Build();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync().WaitAsync(TimeSpan.FromMinutes(1));
        }
        finally
        {
            _host.Dispose();
        }
    }
}
