using System.Text.Json;
using OrleansTenancy.Grains.Mapping;
using OrleansTenancy.Tenancy;
using OrleansTenancy.Tenancy.Registry;
using Wire = OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Silo.Apis;

/// <summary>
/// Tenants registered at run time over HTTP (the tenant directory, <see cref="Wire.ITenantDirectoryGrain"/>). Bodies are
/// read by <see cref="RuntimeTenantJson"/>: <c>id</c>, <c>name</c>, <c>workspaces</c>, <c>limits</c> with the fields of
/// the budget API, and <c>enforcement</c> and <c>inherit_global</c>.
/// </summary>
public static class TenantsApi
{
    /// <summary>Maps <c>POST /admin/tenants</c>, <c>PUT</c> and <c>DELETE /admin/tenants/{id}</c>.</summary>
    public static RouteGroupBuilder MapTenantsApi(this RouteGroupBuilder admin)
    {
        ArgumentNullException.ThrowIfNull(admin);
        admin.MapPost("/tenants", Register)
            .WithName("RegisterTenant")
            .WithSummary("Registers a runtime tenant (durable, served by every silo); 409 when the id is in use.");
        admin.MapPut("/tenants/{tenant}", Replace)
            .WithName("ReplaceTenant")
            .WithSummary("Replaces a runtime tenant's name, workspaces and limits; a tenant of the tenants folder is changed in its files.");
        admin.MapDelete("/tenants/{tenant}", Remove)
            .WithName("RemoveTenant")
            .WithSummary("Removes a runtime tenant.");
        return admin;
    }

    /// <summary>Registers a runtime tenant: 201 with the tenant, 400 naming each bad field, 409 naming the holder of the id.</summary>
    public static async Task<IResult> Register(HttpRequest request, IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(grains);
        var (tenant, invalid) = await ReadAsync(request, null);
        if (invalid is not null)
        {
            return invalid;
        }

        try
        {
            var registered = await Directory(grains).RegisterAsync(ToWire(tenant!));
            return TypedResults.Created($"/admin/tenants/{registered.Definition.Id}", RuntimeTenantResponse.Of(registered));
        }
        catch (Wire.TenantIdInUseException inUse)
        {
            return InUse(inUse);
        }
        catch (ArgumentException refused)
        {
            return AdminProblems.Invalid("Invalid tenant", refused.ParamName ?? "body", refused.Message);
        }
        catch (InvalidOperationException full)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Tenant directory full", detail: full.Message);
        }
    }

    /// <summary>Replaces a runtime tenant: 200 with it, 400 naming each bad field, 404 for an unknown id, 409 for a tenant of the folder.</summary>
    public static async Task<IResult> Replace(string tenant, HttpRequest request, IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(grains);
        var (definition, invalid) = await ReadAsync(request, tenant);
        if (invalid is not null)
        {
            return invalid;
        }

        try
        {
            return TypedResults.Ok(RuntimeTenantResponse.Of(await Directory(grains).UpdateAsync(ToWire(definition!))));
        }
        catch (Wire.TenantIdInUseException inUse)
        {
            return InUse(inUse);
        }
        catch (Wire.UnknownTenantException unknown)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown tenant", detail: unknown.Message);
        }
        catch (ArgumentException refused)
        {
            return AdminProblems.Invalid("Invalid tenant", refused.ParamName ?? "body", refused.Message);
        }
    }

    /// <summary>Removes a runtime tenant: 204, 404 for an unknown id, 409 for a tenant of the folder.</summary>
    public static async Task<IResult> Remove(string tenant, IGrainFactory grains, ITenantRegistrySource registry)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(registry);
        if (await Directory(grains).RemoveAsync(tenant))
        {
            return TypedResults.NoContent();
        }

        return registry.Current.Find(tenant) is { Origin: TenantOrigin.Yaml }
            ? TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Tenant of the tenants folder",
                detail: $"Tenant '{tenant}' comes from the tenants folder (source yaml); remove its folder instead.",
                extensions: new Dictionary<string, object?> { ["source"] = "yaml" })
            : TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Unknown tenant",
                detail: $"Tenant '{tenant}' is not a runtime tenant; GET /admin/tenants lists the tenants and their sources.");
    }

    private static Wire.ITenantDirectoryGrain Directory(IGrainFactory grains) => grains.GetGrain<Wire.ITenantDirectoryGrain>(Wire.TenantDirectory.Key);

    private static async Task<(RuntimeTenant? Tenant, IResult? Invalid)> ReadAsync(HttpRequest request, string? routeId)
    {
        var problems = new List<KeyValuePair<string, string>>();
        RuntimeTenant? tenant = null;
        try
        {
            using var body = await JsonDocument.ParseAsync(request.Body, default, request.HttpContext.RequestAborted);
            tenant = RuntimeTenantJson.Read(body.RootElement, routeId, problems);
        }
        catch (JsonException error)
        {
            problems.Add(new("body", $"The body is not valid JSON ({error.Message}). Send the tenant, for example "
                + "{\"id\": \"acme\", \"limits\": {\"daily_cap_usd\": 10}, \"enforcement\": \"hard\"}."));
        }

        return tenant is null ? (null, AdminProblems.Invalid("Invalid tenant", problems)) : (tenant, null);
    }

    private static Wire.TenantDefinition ToWire(RuntimeTenant tenant) => new()
    {
        Id = tenant.Id,
        Name = tenant.Name,
        Workspaces = [.. tenant.Workspaces],
        Budget = tenant.Budget?.ToWire(),
    };

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult InUse(Wire.TenantIdInUseException inUse) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: "Tenant id in use",
        detail: inUse.Message,
        extensions: new Dictionary<string, object?> { ["source"] = SourceName(inUse.HolderSource) });

    /// <summary>The name of a source in bodies: <c>yaml</c> or <c>runtime</c>.</summary>
    internal static string SourceName(Wire.TenantSource source) => source == Wire.TenantSource.Yaml ? "yaml" : "runtime";

    /// <summary>The name of a registry tenant's origin in bodies: <c>yaml</c> or <c>runtime</c>.</summary>
    internal static string SourceName(TenantOrigin origin) => origin == TenantOrigin.Yaml ? "yaml" : "runtime";
}

/// <summary>A runtime tenant in the bodies of the tenants API.</summary>
/// <param name="Id">The tenant slug.</param>
/// <param name="Name">Its human name (the id when none was given).</param>
/// <param name="Workspaces">Its workspace keys (<c>main</c> when none were given).</param>
/// <param name="Limits">Its own limits, with <c>enforcement</c> and <c>inherit_global</c>; absent when it has none.</param>
/// <param name="Source">Always <c>runtime</c> here.</param>
/// <param name="CreatedAt">When it was registered.</param>
/// <param name="UpdatedAt">When it was last replaced.</param>
public sealed record RuntimeTenantResponse(string Id, string Name, IReadOnlyList<string> Workspaces, BudgetLimits? Limits, string Source, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>The body of <paramref name="tenant"/>.</summary>
    public static RuntimeTenantResponse Of(Wire.RegisteredTenant tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        var definition = tenant.Definition;
        return new RuntimeTenantResponse(
            definition.Id,
            definition.Name ?? definition.Id,
            definition.Workspaces.Count == 0 ? [RuntimeTenants.DefaultWorkspace] : definition.Workspaces,
            definition.Budget?.ToDomain(),
            TenantsApi.SourceName(tenant.Source),
            tenant.CreatedAt,
            tenant.UpdatedAt);
    }
}
