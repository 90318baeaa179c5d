using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using OrleansTenancy.Silo.Hosting;

namespace OrleansTenancy.Silo.Dashboard;

/// <summary>
/// Sign-ins to the dashboard: a signed, expiring token in an <c>HttpOnly</c>, <c>SameSite=Strict</c> cookie.
/// </summary>
/// <remarks>
/// <para>A token is <c>v1.{issued, Unix seconds}.{16 random bytes}.{HMAC-SHA256 of the first three parts keyed with
/// the admin key}</c> (bytes in base64url).</para>
/// <list type="bullet">
/// <item><b>The cookie never holds the key.</b> The MAC is one-way: a stolen cookie file grants what the cookie grants
/// until it expires, never the key.</item>
/// <item><b>Tied to the key.</b> When the admin key changes every token stops verifying, on every silo at once.</item>
/// <item><b>Stateless.</b> Any silo with the same key accepts a token, so a load balancer may send each request to a
/// different silo. Signing out clears the browser's cookie; a copy taken earlier stays valid until it expires, which
/// <see cref="DashboardOptions.SessionLifetime"/> bounds.</item>
/// <item><b>Reads only.</b> <see cref="AuthorizesRead"/> accepts <c>GET</c> and <c>HEAD</c>: a change (a budget
/// override, a reload) needs the key itself in the <c>Authorization</c> header, which no other site can make a browser
/// send.</item>
/// </list>
/// </remarks>
public sealed class DashboardSessions(IOptions<TenancyHostOptions> host, IOptions<DashboardOptions> options, TimeProvider time)
{
    /// <summary>The name of the session cookie.</summary>
    public const string CookieName = "tenancy_dashboard";

    private const string Version = "v1";

    /// <summary>How far ahead of this silo's clock a token's issue time may be (another silo's clock may run ahead).</summary>
    private static readonly TimeSpan _clockSkew = TimeSpan.FromMinutes(5);

    /// <summary>Whether an admin key is configured; without one there are no sign-ins (loopback callers are served).</summary>
    public bool KeyConfigured => !string.IsNullOrEmpty(host.Value.AdminKey);

    /// <summary>Whether <paramref name="presented"/> is the configured admin key.</summary>
    /// <param name="presented">What the sign-in form carried.</param>
    public bool IsAdminKey(string? presented) =>
        KeyConfigured && !string.IsNullOrEmpty(presented) && AdminAuthorizationFilter.FixedTimeEquals(presented, host.Value.AdminKey!);

    /// <summary>A new token, valid for <see cref="DashboardOptions.SessionLifetime"/> from now.</summary>
    /// <exception cref="InvalidOperationException">No admin key is configured.</exception>
    public string Issue()
    {
        var key = host.Value.AdminKey;
        if (string.IsNullOrEmpty(key))
        {
            throw new InvalidOperationException("Dashboard sessions need an admin key (Tenancy:AdminKey).");
        }

        var issued = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var payload = $"{Version}.{issued}.{WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16))}";
        return $"{payload}.{Mac(key, payload)}";
    }

    /// <summary>Whether <paramref name="token"/> was issued with the current admin key and has not expired.</summary>
    /// <param name="token">A cookie value.</param>
    public bool IsValid(string? token)
    {
        var key = host.Value.AdminKey;
        if (string.IsNullOrEmpty(key) || string.IsNullOrEmpty(token) || token.Length > 256)
        {
            return false;
        }

        var cut = token.LastIndexOf('.');
        var parts = token.Split('.');
        if (cut < 0 || parts.Length != 4 || parts[0] != Version
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var issuedSeconds))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Mac(key, token[..cut]));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(token[(cut + 1)..])))
        {
            return false;
        }

        var now = time.GetUtcNow();
        var issued = DateTimeOffset.FromUnixTimeSeconds(Math.Min(issuedSeconds, DateTimeOffset.MaxValue.ToUnixTimeSeconds()));
        return issued <= now + _clockSkew && now - issued < options.Value.SessionLifetime;
    }

    /// <summary>Whether <paramref name="request"/> is a read (<c>GET</c>, <c>HEAD</c>) carrying a valid session cookie.</summary>
    /// <param name="request">The request.</param>
    public bool AuthorizesRead(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            && IsValid(request.Cookies[CookieName]);
    }

    /// <summary>Sets a new session cookie on the response.</summary>
    /// <param name="http">The sign-in request.</param>
    public void SignIn(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.Response.Cookies.Append(CookieName, Issue(), CookieOptions(http, options.Value.SessionLifetime));
    }

    /// <summary>Clears the session cookie.</summary>
    /// <param name="http">The sign-out request.</param>
    public static void SignOut(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.Response.Cookies.Delete(CookieName, CookieOptions(http, maxAge: null));
    }

    private static CookieOptions CookieOptions(HttpContext http, TimeSpan? maxAge) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = http.Request.IsHttps,
        // The page reads /admin/* as well as /dashboard/*.
        Path = http.Request.PathBase.HasValue ? http.Request.PathBase.Value : "/",
        MaxAge = maxAge,
        IsEssential = true,
    };

    private static string Mac(string key, string payload) =>
        WebEncoders.Base64UrlEncode(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes("orleans-tenancy dashboard session|" + payload)));
}
