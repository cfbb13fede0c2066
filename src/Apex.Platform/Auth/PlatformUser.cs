namespace Apex.Platform.Auth;

/// <summary>A user as the platform stores them, in the tenant their email domain belongs to.</summary>
public sealed record PlatformUser(Guid Id, Guid TenantId, string Email, string Name);
