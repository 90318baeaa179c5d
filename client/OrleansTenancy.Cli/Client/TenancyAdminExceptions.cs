using System.Net;

namespace OrleansTenancy.Cli.Client;

/// <summary>The silo answered with an error (its ProblemDetails title and detail are kept).</summary>
public sealed class TenancyAdminException : Exception
{
    /// <summary>Creates the exception from a ProblemDetails answer.</summary>
    public TenancyAdminException(HttpStatusCode status, string title, string? detail)
        : base(detail is null ? title : $"{title}: {detail}")
    {
        Status = status;
        Title = title;
        Detail = detail;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public TenancyAdminException()
        : this(HttpStatusCode.InternalServerError, "Request failed", null)
    {
    }

    /// <summary>Creates the exception with a message only.</summary>
    public TenancyAdminException(string message)
        : this(HttpStatusCode.InternalServerError, message, null)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public TenancyAdminException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = HttpStatusCode.InternalServerError;
        Title = message;
    }

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status { get; }

    /// <summary>The ProblemDetails title (or the status text when the body was not ProblemDetails).</summary>
    public string Title { get; }

    /// <summary>The ProblemDetails detail, when given.</summary>
    public string? Detail { get; }
}

/// <summary>The silo could not be reached at all (connection refused, DNS failure, timeout).</summary>
public sealed class TenancyUnreachableException : Exception
{
    /// <summary>Creates the exception for a base address.</summary>
    public TenancyUnreachableException(Uri baseAddress, Exception innerException)
        : base($"Cannot reach the silo at {baseAddress}: {innerException?.Message}", innerException)
    {
        BaseAddress = baseAddress;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public TenancyUnreachableException()
        : this("Cannot reach the silo.")
    {
    }

    /// <summary>Creates the exception with a message only.</summary>
    public TenancyUnreachableException(string message)
        : base(message)
    {
        BaseAddress = new Uri("http://127.0.0.1:8080");
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public TenancyUnreachableException(string message, Exception innerException)
        : base(message, innerException)
    {
        BaseAddress = new Uri("http://127.0.0.1:8080");
    }

    /// <summary>The address that was tried.</summary>
    public Uri BaseAddress { get; }
}
