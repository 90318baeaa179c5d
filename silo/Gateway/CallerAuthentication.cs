using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using OrleansTenancy.Silo.Hosting;
using OrleansTenancy.Tenancy;
using OrleansTenancy.Tenancy.Context;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Silo.Gateway;

/// <summary>How a caller of the gateway proved who it is.</summary>
public enum CallerKind
{
    /// <summary>No credentials: served only in non-strict mode, as <c>default:main</c>.</summary>
    Anonymous,

    /// <summary>A tenant API key, bound to one (tenant, workspace).</summary>
    TenantKey,

    /// <summary>A trusted internal caller presenting the admin key; it names the context with headers.</summary>
    Trusted,
}

/// <summary>An authenticated caller of the gateway.</summary>
public sealed record Caller
{
    /// <summary>How the caller authenticated.</summary>
    public required CallerKind Kind { get; init; }

    /// <summary>
    /// The context the caller named (its key's binding, or a trusted caller's headers), or <see langword="null"/>
    /// when it named none and the strict/non-strict rule decides.
    /// </summary>
    public TenantContext? Context { get; init; }

    /// <summary>The id of the tenant API key (from the tenant file), for tenant-key callers.</summary>
    public string? KeyId { get; init; }

    /// <summary>Whether the request came from this machine (see <see cref="AdminAuthorizationFilter.IsLocal"/>).</summary>
    public bool Local { get; init; }
}

/// <summary>
/// Authenticates callers of the OpenAI-compatible API. A tenant API key (<c>Authorization: Bearer sk-...</c>, looked
/// up by the SHA-256 of the secret) fixes the context to the key's workspace; context headers naming another
/// context are refused (403). A trusted caller presenting the admin key (<c>Tenancy:AdminKey</c>, as the bearer
/// token or <c>X-Admin-Key</c>) may name the context with <c>X-Tenant</c> + <c>X-Workspace</c> or
/// <c>X-Discord-Guild-Id</c>. A caller without credentials names no context and may not send context headers.
/// </summary>
public sealed class CallerAuthenticator(
    IOptions<TenancyHostOptions> hostOptions,
    IOptions<TenancyOptions> tenancyOptions,
    ITenantRegistrySource registry)
{
    /// <summary>The header a trusted caller names the tenant with.</summary>
    public const string TenantHeader = "X-Tenant";

    /// <summary>The header a trusted caller names the workspace with (required with <see cref="TenantHeader"/>).</summary>
    public const string WorkspaceHeader = "X-Workspace";

    /// <summary>The header a trusted caller names a Discord guild with; the registry maps it to its workspace.</summary>
    public const string GuildHeader = "X-Discord-Guild-Id";

    /// <summary>The alternative header for the admin key.</summary>
    public const string AdminKeyHeader = AdminAuthorizationFilter.AdminKeyHeader;

    /// <summary>Whether strict tenancy is on (<c>Tenancy:Strict</c>, else <c>ENABLE_TENANCY_STRICT</c>).</summary>
    public bool Strict => tenancyOptions.Value.ResolveStrict(Environment.GetEnvironmentVariable);

    /// <summary>Authenticates <paramref name="request"/>; on failure <paramref name="error"/> says why (401, 400 or 403).</summary>
    public bool TryAuthenticate(HttpRequest request, [NotNullWhen(true)] out Caller? caller, [NotNullWhen(false)] out GatewayError? error)
    {
        ArgumentNullException.ThrowIfNull(request);
        caller = null;
        var current = registry.Current;
        var bearer = AdminAuthorizationFilter.BearerToken(request);
        var adminHeader = request.Headers[AdminKeyHeader].ToString();
        var adminKey = hostOptions.Value.AdminKey;
        var local = AdminAuthorizationFilter.IsLocal(request.HttpContext);
        if (!TryReadContextHeaders(request, current, out var named, out error))
        {
            return false;
        }

        if (AdminAuthorizationFilter.Matches(bearer, adminKey) || AdminAuthorizationFilter.Matches(adminHeader, adminKey))
        {
            caller = new Caller { Kind = CallerKind.Trusted, Context = named, Local = local };
            return true;
        }

        if (adminHeader.Length > 0)
        {
            error = GatewayError.Of(StatusCodes.Status401Unauthorized, GatewayError.AuthenticationError, "invalid_admin_key",
                $"The {AdminKeyHeader} header does not match the configured admin key (Tenancy:AdminKey).");
            return false;
        }

        if (bearer is not null)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(bearer)));
            if (!current.TryFindApiKey(hash, out var binding))
            {
                error = GatewayError.Of(StatusCodes.Status401Unauthorized, GatewayError.AuthenticationError, "invalid_api_key",
                    "The API key is not registered. Use a key listed (as SHA-256) under api_keys in a tenant file.");
                return false;
            }

            if (named is { } other && other != binding.Context)
            {
                error = GatewayError.Of(StatusCodes.Status403Forbidden, GatewayError.PermissionDenied, "context_not_allowed",
                    $"API key '{binding.KeyId}' is bound to {binding.Context}; it cannot act for {other}. Only trusted callers with the admin key may name a context.");
                return false;
            }

            caller = new Caller { Kind = CallerKind.TenantKey, Context = binding.Context, KeyId = binding.KeyId, Local = local };
            return true;
        }

        if (named is not null)
        {
            error = GatewayError.Of(StatusCodes.Status401Unauthorized, GatewayError.AuthenticationError, "admin_key_required",
                $"{TenantHeader}, {WorkspaceHeader} and {GuildHeader} are honoured only from trusted callers presenting the admin key; present a tenant API key instead.");
            return false;
        }

        caller = new Caller { Kind = CallerKind.Anonymous, Local = local };
        return true;
    }

    /// <summary>
    /// The caller's effective context: the one it named, else (non-strict) <c>default:main</c>; in strict mode a caller
    /// without a context is refused with 401.
    /// </summary>
    public bool TryResolveEffective(Caller caller, out EffectiveTenantContext effective, [NotNullWhen(false)] out GatewayError? error)
    {
        ArgumentNullException.ThrowIfNull(caller);
        error = null;
        effective = default;
        if (caller.Context is { } named)
        {
            effective = new EffectiveTenantContext(named, FellBack: false);
            return true;
        }

        if (Strict)
        {
            error = MissingContext();
            return false;
        }

        if (caller.Kind == CallerKind.Anonymous && !caller.Local && !hostOptions.Value.AnonymousCallersFromAnywhere)
        {
            error = GatewayError.Of(StatusCodes.Status401Unauthorized, GatewayError.AuthenticationError, "anonymous_not_allowed",
                "Calls without credentials are served (as default:main) only from this machine (Tenancy:AnonymousCallers is 'local'). "
                + "Present a tenant API key (Authorization: Bearer <key>), or the admin key.");
            return false;
        }

        effective = new EffectiveTenantContext(TenantContext.Default, FellBack: true);
        return true;
    }

    /// <summary>The 401 for a call without a context under strict tenancy.</summary>
    public static GatewayError MissingContext() =>
        GatewayError.Of(StatusCodes.Status401Unauthorized, GatewayError.AuthenticationError, "tenant_context_missing",
            "Strict tenancy is on (Tenancy:Strict or ENABLE_TENANCY_STRICT) and the request names no tenant. Present a tenant API key "
            + $"(Authorization: Bearer <key>), or the admin key with {TenantHeader} and {WorkspaceHeader} or {GuildHeader}.");

    private static bool TryReadContextHeaders(HttpRequest request, TenantRegistry registry, out TenantContext? named, [NotNullWhen(false)] out GatewayError? error)
    {
        named = null;
        if (!HeaderTokens.TryRead(request, TenantHeader, out var tenantValue, out error)
            || !HeaderTokens.TryRead(request, WorkspaceHeader, out var workspaceValue, out error)
            || !HeaderTokens.TryRead(request, GuildHeader, out var guildValue, out error))
        {
            return false;
        }

        var tenant = tenantValue ?? string.Empty;
        var workspace = workspaceValue ?? string.Empty;
        var guild = guildValue ?? string.Empty;
        if (tenant.Length > 0 || workspace.Length > 0)
        {
            if (tenant.Length == 0 || workspace.Length == 0 || !TenantContext.TryParse(tenant + ":" + workspace, out var context))
            {
                error = GatewayError.Of(StatusCodes.Status400BadRequest, GatewayError.InvalidRequest, "invalid_context_headers",
                    $"{TenantHeader} '{tenant}' and {WorkspaceHeader} '{workspace}' must both be given, non-empty and without ':'.");
                return false;
            }

            if (registry.Find(context.Tenant) is not { } definition || !definition.Workspaces.ContainsKey(context.Workspace))
            {
                error = GatewayError.Of(StatusCodes.Status403Forbidden, GatewayError.PermissionDenied, "unknown_tenant",
                    $"{context} is not a registered tenant workspace; check the tenants folder (GET /admin/tenants lists what loaded).");
                return false;
            }

            named = context;
        }

        if (guild.Length > 0)
        {
            if (!registry.TryResolveGuild(guild, out var fromGuild))
            {
                error = GatewayError.Of(StatusCodes.Status403Forbidden, GatewayError.PermissionDenied, "unknown_guild",
                    $"{GuildHeader} '{guild}' is not registered to any workspace; add it under discord_guild_id in the tenant file.");
                return false;
            }

            if (named is { } fromHeaders && fromHeaders != fromGuild)
            {
                error = GatewayError.Of(StatusCodes.Status400BadRequest, GatewayError.InvalidRequest, "conflicting_context_headers",
                    $"{GuildHeader} '{guild}' belongs to {fromGuild}, but {TenantHeader}/{WorkspaceHeader} name {fromHeaders}; send one or make them agree.");
                return false;
            }

            named = fromGuild;
        }

        return true;
    }
}
