using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;

namespace OrleansTenancy.Silo.Hosting;

/// <summary>
/// Who may use the operator endpoints (<c>/admin/*</c>, <c>/metrics</c> and any exporter endpoint added later): with
/// <see cref="TenancyHostOptions.AdminKey"/> set, a request must present it (<c>Authorization: Bearer &lt;key&gt;</c> or
/// <c>X-Admin-Key</c>); without one, only callers on this machine are served. The rule is an authorization policy, so
/// any endpoint opts in with <see cref="RequireTenancyAdmin"/>, whatever produced it.
/// </summary>
public static class AdminAccess
{
    /// <summary>The name of the authorization policy.</summary>
    public const string Policy = "TenancyAdmin";

    /// <summary>The alternative header for the admin key.</summary>
    public const string AdminKeyHeader = "X-Admin-Key";

    /// <summary>Registers the policy and the writer of its refusals (ProblemDetails, 401 or 403).</summary>
    public static IServiceCollection AddTenancyAdminAccess(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy.AddRequirements(new AdminRequirement()));
        services.AddSingleton<IAuthorizationHandler, AdminRequirementHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AdminRefusalWriter>();
        return services;
    }

    /// <summary>Requires the admin key (or, without one configured, a local caller) for these endpoints.</summary>
    public static TBuilder RequireTenancyAdmin<TBuilder>(this TBuilder endpoints)
        where TBuilder : IEndpointConventionBuilder => endpoints.RequireAuthorization(Policy);

    /// <summary>
    /// Whether the caller is on this machine: a loopback address, or no network peer at all (an in-process server or a
    /// Unix socket, reachable only through the file system). Behind a reverse proxy on the same machine every caller
    /// looks local; configure an admin key there.
    /// </summary>
    public static bool IsLocal(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var remote = http.Connection.RemoteIpAddress;
        return remote is null || IPAddress.IsLoopback(remote);
    }

    /// <summary>The key a request presents, from <c>Authorization: Bearer</c> or <see cref="AdminKeyHeader"/>; <see langword="null"/> when none.</summary>
    public static string? PresentedKey(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return BearerToken(request) ?? (request.Headers[AdminKeyHeader].ToString() is { Length: > 0 } header ? header : null);
    }

    /// <summary>The bearer token of <c>Authorization</c>, or <see langword="null"/>.</summary>
    public static string? BearerToken(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = authorization["Bearer ".Length..].Trim();
        return token.Length > 0 ? token : null;
    }

    /// <summary>Compares a presented key with the configured one in constant time (hashes of both, so lengths leak nothing).</summary>
    public static bool Matches(string? presented, string? configured) =>
        presented is not null && !string.IsNullOrEmpty(configured)
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(configured)));

    /// <summary>Why <paramref name="http"/> may not use the operator endpoints (status and sentence), or <see langword="null"/> when it may.</summary>
    private static (int Status, string Message)? Refusal(HttpContext http, TenancyHostOptions options)
    {
        var adminKey = options.AdminKey;
        if (string.IsNullOrEmpty(adminKey))
        {
            return IsLocal(http)
                ? null
                : (StatusCodes.Status403Forbidden, "No admin key is configured (Tenancy:AdminKey), so operator endpoints (/admin, /metrics) answer only callers on this machine (loopback).");
        }

        return Matches(PresentedKey(http.Request), adminKey)
            ? null
            : (StatusCodes.Status401Unauthorized, "Operator endpoints (/admin, /metrics) need the admin key: present it as 'Authorization: Bearer <key>'.");
    }

    private sealed class AdminRequirement : IAuthorizationRequirement;

    private sealed class AdminRequirementHandler(IOptions<TenancyHostOptions> options) : AuthorizationHandler<AdminRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AdminRequirement requirement)
        {
            if (context.Resource is HttpContext http && Refusal(http, options.Value) is null)
            {
                context.Succeed(requirement);
            }

            return Task.CompletedTask;
        }
    }

    /// <summary>
    /// Answers a refused request with the error shape of its path instead of an authentication challenge (the silo has
    /// no authentication scheme; the key is checked by the policy itself).
    /// </summary>
    private sealed class AdminRefusalWriter(IOptions<TenancyHostOptions> options) : IAuthorizationMiddlewareResultHandler
    {
        private readonly AuthorizationMiddlewareResultHandler _default = new();

        public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
        {
            if (authorizeResult.Succeeded || !policy.Requirements.OfType<AdminRequirement>().Any()
                || Refusal(context, options.Value) is not { } refusal)
            {
                return _default.HandleAsync(next, context, policy, authorizeResult);
            }

            if (refusal.Status == StatusCodes.Status401Unauthorized)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
            }

            return ErrorResponses.WriteAsync(context, refusal.Status, refusal.Message);
        }
    }
}
