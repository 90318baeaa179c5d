using System.Text.Json;
using OrleansTenancy.Grains.Mapping;
using OrleansTenancy.Grains.Resilience;
using OrleansTenancy.Silo.Hosting;
using OrleansTenancy.Tenancy;
using OrleansTenancy.Tenancy.Budget;
using OrleansTenancy.Tenancy.Registry;
using Wire = OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Silo.Apis;

/// <summary>
/// A tenant's budget over HTTP. Bodies use the field names of <c>budgets.yaml</c> (<c>daily_cap_usd</c>,
/// <c>enforcement</c>, …) so that an operator moves between file and API without translating.
/// </summary>
public static class BudgetApi
{
    /// <summary>Maps <c>/admin/tenants/{tenant}/budget</c> and <c>/admin/tenants/{tenant}/reconcile</c>.</summary>
    public static RouteGroupBuilder MapBudgetApi(this RouteGroupBuilder admin)
    {
        ArgumentNullException.ThrowIfNull(admin);
        admin.MapGet("/tenants/{tenant}/budget", GetBudget)
            .WithName("GetBudget")
            .WithSummary("Every limit with spent, reserved, remaining, percent used, reset time and forecast; the YAML limits and the runtime override.");
        admin.MapPut("/tenants/{tenant}/budget", PutBudget)
            .WithName("PutBudget")
            .WithSummary("Sets a runtime override of the YAML limits (persisted); fields left out keep their YAML value.");
        admin.MapDelete("/tenants/{tenant}/budget", DeleteBudget)
            .WithName("DeleteBudgetOverride")
            .WithSummary("Removes the runtime override; the YAML limits apply again.");
        admin.MapPost("/tenants/{tenant}/reconcile", Reconcile)
            .WithName("ReconcileBudget")
            .WithSummary("Recomputes the current day and month counters from the usage ledger.");
        return admin;
    }

    /// <summary>Reads the budget.</summary>
    public static async Task<IResult> GetBudget(string tenant, ITenantRegistrySource registry, IGrainFactory grains, GrainCallRetry retry)
    {
        ArgumentNullException.ThrowIfNull(retry);
        if (UnknownTenant(tenant, registry) is { } notFound)
        {
            return notFound;
        }

        var grain = grains.GetGrain<Wire.ITenantGrain>(tenant);
        var status = await retry.RunAsync(grain.GetStatusAsync, $"budget status {tenant}");
        var overrides = await retry.RunAsync(grain.GetBudgetOverrideAsync, $"budget override {tenant}");
        return TypedResults.Ok(new BudgetResponse(tenant, registry.Current.GetEffectiveLimits(tenant), overrides?.ToDomain(), status));
    }

    /// <summary>
    /// Sets the runtime override. The body is read by <see cref="BudgetLimitsJson"/>: the fields of <c>budgets.yaml</c>
    /// only, numbers as JSON numbers, <c>enforcement</c> as its name; anything else is a 400 naming the field, and
    /// nothing is stored.
    /// </summary>
    public static async Task<IResult> PutBudget(string tenant, HttpRequest request, ITenantRegistrySource registry, IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (UnknownTenant(tenant, registry) is { } notFound)
        {
            return notFound;
        }

        var problems = new List<KeyValuePair<string, string>>();
        BudgetLimits? limits = null;
        try
        {
            using var body = await JsonDocument.ParseAsync(request.Body, default, request.HttpContext.RequestAborted);
            limits = BudgetLimitsJson.Read(body.RootElement, problems);
        }
        catch (JsonException error)
        {
            problems.Add(new("body", $"The body is not valid JSON ({error.Message}). Send the limits to override, for example "
                + "{\"daily_cap_usd\": 10, \"enforcement\": \"hard\"}; DELETE removes the override."));
        }

        if (limits is null)
        {
            return AdminProblems.Invalid("Invalid budget limits", problems);
        }

        var grain = grains.GetGrain<Wire.ITenantGrain>(tenant);
        var status = await grain.ConfigureBudgetAsync(limits.ToWire());
        return TypedResults.Ok(new BudgetResponse(tenant, registry.Current.GetEffectiveLimits(tenant), limits, status));
    }

    /// <summary>Removes the runtime override.</summary>
    public static async Task<IResult> DeleteBudget(string tenant, ITenantRegistrySource registry, IGrainFactory grains)
    {
        if (UnknownTenant(tenant, registry) is { } notFound)
        {
            return notFound;
        }

        var status = await grains.GetGrain<Wire.ITenantGrain>(tenant).ConfigureBudgetAsync(null);
        return TypedResults.Ok(new BudgetResponse(tenant, registry.Current.GetEffectiveLimits(tenant), null, status));
    }

    /// <summary>Reconciles counters with the ledger.</summary>
    public static async Task<IResult> Reconcile(string tenant, ITenantRegistrySource registry, IGrainFactory grains)
    {
        if (UnknownTenant(tenant, registry) is { } notFound)
        {
            return notFound;
        }

        return TypedResults.Ok(await grains.GetGrain<Wire.ITenantGrain>(tenant).ReconcileAsync());
    }

    /// <summary>A 404 naming the tenant when the registry does not hold it; otherwise <see langword="null"/>.</summary>
    internal static IResult? UnknownTenant(string tenant, ITenantRegistrySource registry) =>
        registry.Current.Find(tenant) is null
            ? TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Unknown tenant",
                detail: $"Tenant '{tenant}' is not in the registry; GET /admin/tenants lists the loaded tenants and load errors.")
            : null;
}

/// <summary>Body of the budget endpoints.</summary>
/// <param name="Tenant">The tenant slug.</param>
/// <param name="ConfiguredLimits">The limits from the tenant's files and the global defaults.</param>
/// <param name="Override">The runtime override, if any (its fields win).</param>
/// <param name="Status">Each effective limit with its usage.</param>
public sealed record BudgetResponse(string Tenant, BudgetLimits ConfiguredLimits, BudgetLimits? Override, Wire.BudgetStatus Status);
