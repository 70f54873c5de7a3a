# syntax=docker/dockerfile:1
# Build: docker build -t jwtauth .
# Run:   docker run -p 8080:8080 -v jwtauth-data:/app/data \
#          -e Jwt__SigningKeys__0__Id=k1 -e Jwt__SigningKeys__0__Secret="$(head -c 32 /dev/urandom | base64)" jwtauth

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props appsettings.json ./
COPY src/JwtAuth/JwtAuth.csproj src/JwtAuth/
RUN dotnet restore src/JwtAuth/JwtAuth.csproj
COPY src/ src/
RUN dotnet publish src/JwtAuth/JwtAuth.csproj --configuration Release --no-restore --output /app/publish

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app/publish .
# The SQLite database lives in /app/data; mount a volume there to keep it.
RUN mkdir -p /app/data && chown app:app /app/data
ENV ASPNETCORE_ENVIRONMENT=Production \
    ASPNETCORE_HTTP_PORTS=8080
USER app
VOLUME /app/data
EXPOSE 8080
ENTRYPOINT ["dotnet", "JwtAuth.dll"]
