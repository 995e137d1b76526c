FROM python:3.11-slim
WORKDIR /app
RUN useradd --system --create-home biocross
COPY pyproject.toml README.md ./
COPY biocross ./biocross
COPY schemas ./schemas
COPY adapters ./adapters
COPY indexer ./indexer
COPY desk ./desk
COPY gateway ./gateway
COPY demo ./demo
RUN pip install --no-cache-dir .
USER biocross
EXPOSE 8080
CMD ["biocross", "serve", "--host", "0.0.0.0", "--port", "8080"]
