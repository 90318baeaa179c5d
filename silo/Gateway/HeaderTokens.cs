using System.Diagnostics.CodeAnalysis;

namespace OrleansTenancy.Silo.Gateway;

/// <summary>
/// The rule for header values the gateway echoes, records or looks up (<c>X-Request-Id</c>, <c>X-Task</c>,
/// <c>X-Agent</c>, <c>X-Tenant</c>, <c>X-Workspace</c>, <c>X-Discord-Guild-Id</c>): 1 to <see cref="MaxLength"/>
/// printable ASCII characters without spaces. A response header can carry nothing else, and a control character in a
/// ledger row or log line helps nobody.
/// </summary>
public static class HeaderTokens
{
    /// <summary>The longest value accepted.</summary>
    public const int MaxLength = 128;

    /// <summary>Reads <paramref name="header"/>: absent or empty is <see langword="null"/>; a value breaking the rule is a 400 naming the header.</summary>
    public static bool TryRead(HttpRequest request, string header, out string? value, [NotNullWhen(false)] out GatewayError? error)
    {
        ArgumentNullException.ThrowIfNull(request);
        error = null;
        value = request.Headers[header].ToString();
        if (value.Length == 0)
        {
            value = null;
            return true;
        }

        if (value.Length > MaxLength || !value.All(c => c is > ' ' and <= '~'))
        {
            error = GatewayError.Of(StatusCodes.Status400BadRequest, GatewayError.InvalidRequest, "invalid_header",
                $"{header} must be 1 to {MaxLength} printable ASCII characters without spaces (letters, digits, '-', '_', '.', ':' and the like).");
            value = null;
            return false;
        }

        return true;
    }
}
