# One image for both production processes: `npm run web` (default) and `npm run worker`.
FROM node:20-bookworm-slim
WORKDIR /app
RUN chown node:node /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --chown=node:node . .
USER node
EXPOSE 3000
CMD ["npm", "run", "web"]
