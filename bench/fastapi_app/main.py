"""FastAPI reference: the generated `items` resource, written the way the FastAPI guide recommends.

Pydantic models for input and output, a SQLAlchemy 2 ORM model, a sync `Session`
injected with `Depends` (routes are plain `def`, so FastAPI runs them in its
threadpool), uvicorn, SQLite. Same table, JSON and status codes as the generated
app's `items`; no authentication (the generated app verifies a JWT per request).

    DATABASE_URL=sqlite:///bench.db uvicorn main:app
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Index, String, create_engine, event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

engine = create_engine(
    os.environ.get("DATABASE_URL", "sqlite:///bench.db"),
    connect_args={"check_same_thread": False},
    pool_size=5,  # as the generated app's DATABASE_MAX_CONNECTIONS
)


@event.listens_for(engine, "connect")
def _pragmas(conn, _record) -> None:  # noqa: ANN001
    # The generated app's settings: WAL with synchronous=NORMAL, foreign keys, 5 s busy timeout.
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=5000")


SessionLocal = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "items"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # The generated migration's index for the default list order.
    __table_args__ = (Index("items_created_at_id_idx", "created_at", "id"),)


class ItemInput(BaseModel):
    name: str = Field(min_length=1, max_length=255)
    email: str = Field(min_length=1, max_length=255)


class ItemResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    email: str
    created_at: datetime
    updated_at: datetime


class ItemPage(BaseModel):
    items: list[ItemResponse]
    limit: int
    offset: int
    total: int


def get_db() -> Iterator[Session]:
    with SessionLocal() as session:
        yield session


DbSession = Annotated[Session, Depends(get_db)]


@asynccontextmanager
async def lifespan(_app: FastAPI):
    Base.metadata.create_all(engine)
    yield


app = FastAPI(lifespan=lifespan)


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/v1/items", response_model=ItemPage)
def list_items(
    db: DbSession,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ItemPage:
    rows = db.scalars(
        select(Item).order_by(Item.created_at, Item.id).limit(limit).offset(offset)
    ).all()
    total = db.scalar(select(func.count()).select_from(Item))
    return ItemPage(items=rows, limit=limit, offset=offset, total=total)


@app.post("/v1/items", response_model=ItemResponse, status_code=status.HTTP_201_CREATED)
def create_item(body: ItemInput, db: DbSession, response: Response) -> Item:
    now = datetime.now(timezone.utc)
    item = Item(**body.model_dump(), created_at=now, updated_at=now)
    db.add(item)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, "email already exists") from None
    response.headers["Location"] = f"/v1/items/{item.id}"
    return item


@app.get("/v1/items/{item_id}", response_model=ItemResponse)
def get_item(item_id: uuid.UUID, db: DbSession) -> Item:
    item = db.get(Item, item_id)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Item not found")
    return item
