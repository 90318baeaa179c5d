using System.Reflection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace OrleansTenancy.Silo.Dashboard;

/// <summary>The silos of the cluster, as the dashboard lists them.</summary>
/// <remarks>
/// The silo runs as a single process today, so <see cref="LocalClusterView"/> lists this silo alone; a host that joins a
/// cluster registers a view over its membership instead, and the page shows whatever the view returns.
/// </remarks>
public interface IClusterView
{
    /// <summary>Every silo known to the cluster, this one included.</summary>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    Task<IReadOnlyList<SiloSummary>> GetSilosAsync(CancellationToken cancellationToken);
}

/// <summary>One silo.</summary>
/// <param name="Name">The silo's name (machine and process).</param>
/// <param name="Addresses">Where it serves HTTP.</param>
/// <param name="Status">Its membership status, e.g. <c>active</c>.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="Version">The product version it runs.</param>
/// <param name="IsThisSilo">Whether it is the silo that answered the request.</param>
public sealed record SiloSummary(string Name, IReadOnlyList<string> Addresses, string Status, DateTimeOffset StartedAt, string Version, bool IsThisSilo);

/// <summary>The view of a single-silo deployment: this silo, active since it started.</summary>
public sealed class LocalClusterView : IClusterView
{
    private readonly IServer _server;
    private readonly DateTimeOffset _startedAt;

    /// <summary>Creates the view; the silo counts as started when the view is created (with the endpoints).</summary>
    /// <param name="server">The HTTP server, for the listening addresses.</param>
    /// <param name="time">The clock.</param>
    public LocalClusterView(IServer server, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _server = server ?? throw new ArgumentNullException(nameof(server));
        _startedAt = time.GetUtcNow();
    }

    /// <summary>The product version: the silo assembly's informational version without build metadata.</summary>
    public static string ProductVersion { get; } =
        typeof(LocalClusterView).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    /// <inheritdoc />
    public Task<IReadOnlyList<SiloSummary>> GetSilosAsync(CancellationToken cancellationToken)
    {
        var addresses = _server.Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];
        IReadOnlyList<SiloSummary> silos =
        [
            new SiloSummary($"{Environment.MachineName}/{Environment.ProcessId}", addresses, "active", _startedAt, ProductVersion, IsThisSilo: true),
        ];
        return Task.FromResult(silos);
    }
}
