using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Silo.Apis;

/// <summary>Liveness.</summary>
public static class HealthApi
{
    /// <summary>Maps <c>GET /healthz</c>.</summary>
    public static IEndpointConventionBuilder MapHealthApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/healthz", (ITenantRegistrySource registry) =>
            {
                var current = registry.Current;
                return new HealthResponse("ok", current.Tenants.Count, current.Problems.Count);
            })
            .WithName("Health")
            .WithSummary("Liveness, the number of tenants loaded and of load problems.");
}

/// <summary>Body of <c>GET /healthz</c>.</summary>
public sealed record HealthResponse(string Status, int Tenants, int Problems);
