using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace OrleansTenancy.Silo.Hosting;

/// <summary>
/// Guards admin endpoints. With <see cref="TenancyHostOptions.AdminKey"/> set, a request must present it as
/// <c>Authorization: Bearer &lt;key&gt;</c> (or <c>X-Admin-Key</c>); without one, only loopback callers are served.
/// </summary>
public sealed class AdminAuthorizationFilter(IOptions<TenancyHostOptions> options) : IEndpointFilter
{
    /// <inheritdoc />
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var adminKey = options.Value.AdminKey;
        if (string.IsNullOrEmpty(adminKey))
        {
            var remote = http.Connection.RemoteIpAddress;
            if (remote is not null && !IPAddress.IsLoopback(remote))
            {
                return Results.Problem(
                    statusCode: StatusCodes.Status403Forbidden,
                    title: "Admin endpoints are loopback-only",
                    detail: "No admin key is configured (Tenancy:AdminKey), so admin endpoints answer only callers on this machine.");
            }

            return await next(context);
        }

        var presented = PresentedKey(http.Request);
        if (presented is null || !FixedTimeEquals(presented, adminKey))
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Admin key required",
                detail: "Present the admin key as 'Authorization: Bearer <key>'.");
        }

        return await next(context);
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

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(a)),
            SHA256.HashData(Encoding.UTF8.GetBytes(b)));
}
