namespace OrleansTenancy.Tenancy.Context;

/// <summary>The context a call runs under and whether it is the non-strict fallback.</summary>
/// <param name="Context">The effective context; metrics and cache keys use it (never "unknown").</param>
/// <param name="FellBack">
/// Whether no context was given and <see cref="TenantContext.Default"/> was used: the caller logs a warning and
/// increments <c>tenancy_fallback_total{tenant,workspace,component}</c> once for the call.
/// </param>
public readonly record struct EffectiveTenantContext(TenantContext Context, bool FellBack);

/// <summary>Resolves the effective <see cref="TenantContext"/> of a call under strict or non-strict tenancy.</summary>
public static class TenantContextResolver
{
    /// <summary>
    /// The explicit context if given, else the ambient one (<see cref="AmbientTenantContext.Current"/>); when neither
    /// exists, strict mode throws and non-strict mode falls back to <c>default:main</c>.
    /// </summary>
    /// <param name="explicitContext">The context carried on the request, if any.</param>
    /// <param name="strict">Whether strict mode is on.</param>
    /// <param name="component">The calling component for the error and the fallback metric (for example <c>openrouter_service</c>).</param>
    /// <returns>The effective context and whether it fell back.</returns>
    /// <exception cref="TenantContextMissingException">Strict mode and no context.</exception>
    public static EffectiveTenantContext ResolveEffective(TenantContext? explicitContext, bool strict, string component = "unspecified") =>
        Resolve(explicitContext, AmbientTenantContext.Current, strict, component);

    /// <summary>As <see cref="ResolveEffective"/>, with the ambient context passed in (pure; for callers that captured it).</summary>
    /// <param name="explicitContext">The context carried on the request, if any.</param>
    /// <param name="ambientContext">The ambient context, if any.</param>
    /// <param name="strict">Whether strict mode is on.</param>
    /// <param name="component">The calling component.</param>
    /// <returns>The effective context and whether it fell back.</returns>
    /// <exception cref="TenantContextMissingException">Strict mode and no context.</exception>
    public static EffectiveTenantContext Resolve(TenantContext? explicitContext, TenantContext? ambientContext, bool strict, string component)
    {
        if (explicitContext is { IsEmpty: false } given)
        {
            return new EffectiveTenantContext(given, FellBack: false);
        }

        if (ambientContext is { IsEmpty: false } ambient)
        {
            return new EffectiveTenantContext(ambient, FellBack: false);
        }

        if (strict)
        {
            throw new TenantContextMissingException(component);
        }

        return new EffectiveTenantContext(TenantContext.Default, FellBack: true);
    }
}

/// <summary>A call needed a <see cref="TenantContext"/> under strict tenancy and had none.</summary>
public sealed class TenantContextMissingException : InvalidOperationException
{
    /// <summary>Creates the exception for <paramref name="component"/>.</summary>
    /// <param name="component">The component that needed the context.</param>
    public TenantContextMissingException(string component)
        : base($"{component}: no TenantContext is set and tenancy strict mode is on ({TenancyOptions.TenancyStrictVariable}/{TenancyOptions.IngestStrictVariable} or Tenancy:Strict). "
            + "Pass the context on the request or enter one with AmbientTenantContext.Enter(new TenantContext(tenant, workspace)); "
            + "or turn strict mode off to fall back to default:main.")
    {
        Component = component;
    }

    /// <summary>Creates the exception for an unspecified component.</summary>
    public TenantContextMissingException()
        : this("unspecified")
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public TenantContextMissingException(string message, Exception innerException)
        : base(message, innerException)
    {
        Component = "unspecified";
    }

    /// <summary>The component that needed the context.</summary>
    public string Component { get; }
}
