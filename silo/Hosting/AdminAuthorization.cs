using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using OrleansTenancy.Silo.Dashboard;

namespace OrleansTenancy.Silo.Hosting;

/// <summary>
/// Guards admin endpoints. With <see cref="TenancyHostOptions.AdminKey"/> set, a request must present it as
/// <c>Authorization: Bearer &lt;key&gt;</c> (or <c>X-Admin-Key</c>), or be a read by a signed-in dashboard session
/// (<see cref="DashboardSessions"/>); without a key, only loopback callers are served.
/// </summary>
public sealed class AdminAuthorizationFilter(IOptions<TenancyHostOptions> options) : IEndpointFilter
{
    /// <inheritdoc />
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        switch (Decide(http, options.Value.AdminKey))
        {
            case AdminAccess.LoopbackOnly:
                return Results.Problem(
                    statusCode: StatusCodes.Status403Forbidden,
                    title: "Admin endpoints are loopback-only",
                    detail: "No admin key is configured (Tenancy:AdminKey), so admin endpoints answer only callers on this machine.");
            case AdminAccess.KeyRequired:
                http.Response.Headers.WWWAuthenticate = "Bearer";
                return Results.Problem(
                    statusCode: StatusCodes.Status401Unauthorized,
                    title: "Admin key required",
                    detail: "Present the admin key as 'Authorization: Bearer <key>'.");
            default:
                return await next(context);
        }
    }

    /// <summary>
    /// Whether a request may use admin endpoints: the one rule behind this filter and the dashboard's pages.
    /// </summary>
    /// <param name="http">The request.</param>
    /// <param name="adminKey">The configured admin key, or <see langword="null"/> when none is configured.</param>
    public static AdminAccess Decide(HttpContext http, string? adminKey)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (string.IsNullOrEmpty(adminKey))
        {
            return IsLocal(http) ? AdminAccess.Granted : AdminAccess.LoopbackOnly;
        }

        var presented = PresentedKey(http.Request);
        if (presented is not null)
        {
            return FixedTimeEquals(presented, adminKey) ? AdminAccess.Granted : AdminAccess.KeyRequired;
        }

        return http.RequestServices.GetService<DashboardSessions>()?.AuthorizesRead(http.Request) == true
            ? AdminAccess.Granted
            : AdminAccess.KeyRequired;
    }

    /// <summary>The alternative header for the admin key.</summary>
    public const string AdminKeyHeader = "X-Admin-Key";

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

    /// <summary>The key a request presents, from <c>Authorization: Bearer</c> or <see cref="AdminKeyHeader"/>.</summary>
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

    /// <summary>Whether <paramref name="presented"/> is the configured <paramref name="adminKey"/> (false when either is missing).</summary>
    public static bool Matches(string? presented, string? adminKey) =>
        !string.IsNullOrEmpty(presented) && !string.IsNullOrEmpty(adminKey) && FixedTimeEquals(presented, adminKey);

    /// <summary>Whether <paramref name="presented"/> is <paramref name="adminKey"/>, compared in fixed time.</summary>
    public static bool FixedTimeEquals(string presented, string adminKey)
    {
        ArgumentNullException.ThrowIfNull(presented);
        ArgumentNullException.ThrowIfNull(adminKey);
        return CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(adminKey)));
    }
}

/// <summary>What <see cref="AdminAuthorizationFilter.Decide"/> allows.</summary>
public enum AdminAccess
{
    /// <summary>The request may use admin endpoints.</summary>
    Granted,

    /// <summary>An admin key is configured and the request did not present it (or a dashboard session).</summary>
    KeyRequired,

    /// <summary>No admin key is configured and the caller is not on this machine.</summary>
    LoopbackOnly,
}
