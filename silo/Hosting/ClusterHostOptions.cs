using System.Globalization;
using Microsoft.Extensions.Options;

namespace OrleansTenancy.Silo.Hosting;

/// <summary>
/// How this silo takes part in its Orleans cluster, bound from the <c>Cluster</c> configuration section
/// (<c>appsettings.json</c>, environment variables such as <c>CLUSTER__SILOPORT</c>, or <c>--Cluster:SiloPort=…</c>).
/// </summary>
/// <remarks>
/// The defaults run one silo on loopback with nothing else installed: <c>localhost</c> membership, Orleans' usual
/// ports and timeouts. They are validated before the silo starts (<see cref="ClusterHostOptionsValidator"/>) and
/// logged once it has.
/// </remarks>
public sealed class ClusterHostOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Cluster";

    /// <summary>The only membership there is so far: one silo on loopback that is its own cluster.</summary>
    public const string LocalhostMembership = "localhost";

    /// <summary>
    /// Where silos find each other. Defaults to <c>localhost</c> (the embedded default: a single silo on loopback,
    /// with no membership table to run).
    /// </summary>
    public string Membership { get; set; } = LocalhostMembership;

    /// <summary>
    /// The cluster's id: silos with the same id form one cluster. Defaults to <c>orleans-tenancy</c>.
    /// </summary>
    public string ClusterId { get; set; } = "orleans-tenancy";

    /// <summary>
    /// The service's id, which names the stored grain state and must stay the same across deployments (changing it
    /// orphans every tenant's budget state). Defaults to <c>orleans-tenancy</c>.
    /// </summary>
    public string ServiceId { get; set; } = "orleans-tenancy";

    /// <summary>The port silos talk to each other on. Defaults to 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The port Orleans cluster clients connect to. Defaults to 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>How long a grain call may take before the caller gets a timeout. Defaults to 30 seconds.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long an activation may stay idle before Orleans collects it (it is re-activated from storage on its next
    /// call). Defaults to 15 minutes; Orleans needs more than one minute.
    /// </summary>
    public TimeSpan CollectionAge { get; set; } = TimeSpan.FromMinutes(15);

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"Membership={Membership}, ClusterId={ClusterId}, ServiceId={ServiceId}, SiloPort={SiloPort}, GatewayPort={GatewayPort}, ResponseTimeout={ResponseTimeout}, CollectionAge={CollectionAge}");
}

/// <summary>Validates <see cref="ClusterHostOptions"/> so that a bad setting stops the silo before it starts, naming the setting.</summary>
public sealed class ClusterHostOptionsValidator : IValidateOptions<ClusterHostOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ClusterHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string Section = ClusterHostOptions.SectionName;
        var failures = new List<string>();
        if (!string.Equals(options.Membership, ClusterHostOptions.LocalhostMembership, StringComparison.Ordinal))
        {
            failures.Add($"{Section}:Membership is '{options.Membership}'; the supported value is '{ClusterHostOptions.LocalhostMembership}'.");
        }

        if (string.IsNullOrWhiteSpace(options.ClusterId))
        {
            failures.Add($"{Section}:ClusterId must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceId))
        {
            failures.Add($"{Section}:ServiceId must not be empty.");
        }

        foreach (var (setting, port) in new[] { ("SiloPort", options.SiloPort), ("GatewayPort", options.GatewayPort) })
        {
            if (port is < 1 or > 65535)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Section}:{setting} is {port}; it must be between 1 and 65535."));
            }
        }

        if (options.SiloPort == options.GatewayPort)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Section}:SiloPort and {Section}:GatewayPort are both {options.SiloPort}; they must differ."));
        }

        if (options.ResponseTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:ResponseTimeout is {options.ResponseTimeout}; it must be positive, e.g. '00:00:30'.");
        }

        if (options.CollectionAge <= TimeSpan.FromMinutes(1))
        {
            failures.Add($"{Section}:CollectionAge is {options.CollectionAge}; it must be more than one minute, e.g. '00:15:00'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
