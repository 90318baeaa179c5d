using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using OrleansTenancy.Benchmarks.Hosting;

namespace OrleansTenancy.Benchmarks.Cluster;

/// <summary>
/// N silos in this process forming one cluster over loopback TCP (Orleans' development membership: the first silo holds
/// the table). Silo-to-silo messages take the same serialisation and socket path as between processes; the silos share
/// this process's cores, thread pool and garbage collector, which separate processes would not.
/// </summary>
public sealed class InProcessCluster : IAsyncDisposable
{
    private readonly IHost[] _silos;

    private InProcessCluster(IHost[] silos, string[] gateways, string clusterId)
    {
        _silos = silos;
        Gateways = gateways;
        ClusterId = clusterId;
    }

    public const string ServiceId = "orleans-tenancy-bench";

    public string ClusterId { get; }

    public int Count => _silos.Length;

    /// <summary><c>127.0.0.1:port</c> of each silo's gateway.</summary>
    public IReadOnlyList<string> Gateways { get; }

    /// <summary>The grain factory of silo <paramref name="index"/>: calls made with it leave from that silo.</summary>
    public IGrainFactory Grains(int index) => _silos[index].Services.GetRequiredService<IGrainFactory>();

    /// <summary>The address of silo <paramref name="index"/>, as <c>SiloAddress.ToString()</c> gives it.</summary>
    public string Address(int index) => _silos[index].Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToString();

    public static async Task<InProcessCluster> StartAsync(int count, Action<IServiceCollection, ISiloBuilder>? configure = null)
    {
        var silos = new IHost[count];
        var gateways = new string[count];
        var id = "bench-" + Guid.NewGuid().ToString("N")[..8];
        IPEndPoint? primary = null;
        for (var i = 0; i < count; i++)
        {
            var siloPort = LoopbackPorts.Free();
            var gatewayPort = LoopbackPorts.Free();
            primary ??= new IPEndPoint(IPAddress.Loopback, siloPort);
            silos[i] = await StartSiloAsync(siloPort, gatewayPort, primary, id, configure); // one after the other: the first holds the membership table
            gateways[i] = $"127.0.0.1:{gatewayPort}";
        }

        return new InProcessCluster(silos, gateways, id);
    }

    /// <summary>
    /// One silo of a cluster on Orleans' development membership (the silo at <paramref name="primary"/> holds the
    /// table), in this process: what each process of <see cref="CrossSiloProcessesCommand"/> runs as well.
    /// </summary>
    public static async Task<IHost> StartSiloAsync(
        int siloPort, int gatewayPort, IPEndPoint primary, string clusterId, Action<IServiceCollection, ISiloBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort, primary, ServiceId, clusterId);
            silo.Configure<GrainCollectionOptions>(o => o.CollectionAge = TimeSpan.FromHours(2));
            configure?.Invoke(builder.Services, silo);
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _silos.Length - 1; i >= 0; i--)
        {
            await _silos[i].StopAsync(TimeSpan.FromSeconds(10));
            _silos[i].Dispose();
        }
    }
}
