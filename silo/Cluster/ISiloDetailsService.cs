using Orleans.Services;

namespace OrleansTenancy.Silo.Cluster;

/// <summary>
/// What one silo says about itself, asked on that silo: Orleans runs one instance of this grain service on every silo,
/// addressed by the silo's address (<see cref="SiloDetailsClient"/>), so the answer always comes from the silo named.
/// </summary>
[Alias("OrleansTenancy.Silo.Cluster.ISiloDetailsService")]
public interface ISiloDetailsService : IGrainService
{
    /// <summary>This silo's details as of now.</summary>
    [Alias("GetDetails")]
    Task<SiloDetails> GetDetailsAsync();
}

/// <summary>What a silo reports about itself: what membership cannot know (membership has its address, status and start time).</summary>
/// <param name="Version">The product version it runs.</param>
/// <param name="HttpAddresses">Where it serves HTTP (empty when it serves none).</param>
/// <param name="RegistryHash">The content hash of the tenant registry it loaded (<c>TenantRegistry.ContentHash</c>).</param>
/// <param name="Tenants">How many tenants that registry holds.</param>
[GenerateSerializer]
[Alias("OrleansTenancy.Silo.Cluster.SiloDetails")]
public sealed record SiloDetails(
    [property: Id(0)] string Version,
    [property: Id(1)] IReadOnlyList<string> HttpAddresses,
    [property: Id(2)] string RegistryHash,
    [property: Id(3)] int Tenants);
