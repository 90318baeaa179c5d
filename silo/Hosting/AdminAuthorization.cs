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
            var remote = http.Connection.RemoteIpAddress;
            return remote is not null && !IPAddress.IsLoopback(remote) ? AdminAccess.LoopbackOnly : AdminAccess.Granted;
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

    /// <summary>The key a request presents, from <c>Authorization: Bearer</c> or <c>X-Admin-Key</c>.</summary>
    public static string? PresentedKey(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        var header = request.Headers["X-Admin-Key"].ToString();
        return header.Length > 0 ? header : null;
    }

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
